/**
 * The project's own lint rules (`deno lint` loads this file; see deno.json).
 *
 * - `simvqgan/max-function-lines`: no function (declaration, expression,
 *   arrow or method) longer than {@linkcode MAX_FUNCTION_LINES} lines in
 *   `lib/codec`, `lib/validate`, `lib/serve` and `lib/train`: long ones are
 *   split into named stages (issue 20).
 *
 * @module
 */

/** Longest function allowed, in lines from its first line to its last. */
export const MAX_FUNCTION_LINES = 80;

/** The folders the rule covers. */
export const FUNCTION_LINES_FOLDERS: readonly string[] = ["lib/codec/", "lib/validate/", "lib/serve/", "lib/train/"];

const plugin: Deno.lint.Plugin = {
  name: "simvqgan",
  rules: {
    "max-function-lines": {
      create(context) {
        const path = context.filename.replaceAll("\\", "/");
        if (!FUNCTION_LINES_FOLDERS.some((folder) => path.includes(`/${folder}`))) return {};
        const check = (node: Deno.lint.Node) => {
          const [start, end] = node.range;
          const lines = context.sourceCode.text.slice(start, end).split("\n").length;
          if (lines > MAX_FUNCTION_LINES) {
            context.report({
              node,
              message: `This function has ${lines} lines, more than ${MAX_FUNCTION_LINES}: split it into named stages`,
            });
          }
        };
        return { FunctionDeclaration: check, FunctionExpression: check, ArrowFunctionExpression: check };
      },
    },
  },
};

export default plugin;
