/** The methods of `_rpc_worker.ts`. */
export type TestMethods = {
  readonly double: { readonly params: { readonly values: Float64Array }; readonly result: Float64Array };
  readonly checkpoint: { readonly params: { readonly path: string }; readonly result: null };
  readonly plain: { readonly params: null; readonly result: null };
  readonly slow: { readonly params: null; readonly result: string };
  readonly quick: { readonly params: null; readonly result: string };
  readonly die: { readonly params: null; readonly result: null };
};
