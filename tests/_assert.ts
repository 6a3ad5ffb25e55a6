/**
 * `@std/assert` with its type signatures. The npm mirror of Deno std that
 * deno.json maps `@std/assert` to ships no declarations, so assertions could
 * not narrow types; this module declares them once. With `jsr:@std/assert`
 * mapped instead, the same declarations hold.
 *
 * @module
 */
import * as std from "@std/assert";

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;
// deno-lint-ignore no-explicit-any
type AnyConstructor = abstract new (...args: any[]) => any;

/** Assert that `expr` is truthy. */
export const assert: (expr: unknown, msg?: string) => asserts expr = std.assert;
/** Assert that `actual` is neither null nor undefined. */
export const assertExists: <T>(actual: T, msg?: string) => asserts actual is NonNullable<T> = std.assertExists;
/** Assert deep equality. */
export const assertEquals: <T>(actual: T, expected: T, msg?: string) => void = std.assertEquals;
/** Assert deep inequality. */
export const assertNotEquals: <T>(actual: T, expected: T, msg?: string) => void = std.assertNotEquals;
/** Assert `Object.is` equality. */
export const assertStrictEquals: <T>(actual: unknown, expected: T, msg?: string) => asserts actual is T =
  std.assertStrictEquals;
/** Assert `|actual − expected| ≤ tolerance`. */
export const assertAlmostEquals: (actual: number, expected: number, tolerance?: number, msg?: string) => void =
  std.assertAlmostEquals;
/** Assert that `actual` > `expected`. */
export const assertGreater: <T>(actual: T, expected: T, msg?: string) => void = std.assertGreater;
/** Assert that `actual` ≥ `expected`. */
export const assertGreaterOrEqual: <T>(actual: T, expected: T, msg?: string) => void = std.assertGreaterOrEqual;
/** Assert that `actual` < `expected`. */
export const assertLess: <T>(actual: T, expected: T, msg?: string) => void = std.assertLess;
/** Assert that `actual` ≤ `expected`. */
export const assertLessOrEqual: <T>(actual: T, expected: T, msg?: string) => void = std.assertLessOrEqual;
/** Assert that `actual` contains `expected`. */
export const assertStringIncludes: (actual: string, expected: string, msg?: string) => void = std.assertStringIncludes;
/** Assert that `actual` matches `expected`. */
export const assertMatch: (actual: string, expected: RegExp, msg?: string) => void = std.assertMatch;
/** Assert that `actual` is an instance of `expectedType`. */
export const assertInstanceOf: <T extends AnyConstructor>(
  actual: unknown,
  expectedType: T,
  msg?: string,
) => asserts actual is InstanceType<T> = std.assertInstanceOf;
/** Assert that `fn` throws an `ErrorClass` whose message includes `msgIncludes`; returns the error. */
export const assertThrows: <E extends Error>(fn: () => unknown, ErrorClass: ErrorClass<E>, msgIncludes?: string) => E =
  std.assertThrows;
/** Assert that `fn` rejects with an `ErrorClass` whose message includes `msgIncludes`; returns the error. */
export const assertRejects: <E extends Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass: ErrorClass<E>,
  msgIncludes?: string,
) => Promise<E> = std.assertRejects;
