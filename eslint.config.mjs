// @ts-check
// Lint: the rules that catch what the type checker does not (a promise nobody awaits, a switch
// that misses a case of a union), type-aware through tsconfig.json; `npm test` runs it.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["out/**", "node_modules/**", ".vscode-test/**", "test/fixtures/**"] },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: ["./tsconfig.json", "./extension/renderer/tsconfig.json"], tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // a `default` does not count: a member added to a union must be handled where it is switched on
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: false }],
      // a promise rejected with what a catch caught passes the job's own error on, whatever it is
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // `_` names what is held for its scope (`using _ = lock.hold()`) or a parameter an override must take
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],

      // Off, because following them means rewriting working code for no bug found:
      // the runtime takes the learner's values and callables as they come (Python's duck typing):
      // `any` and `Function` are what it is given, and narrowing each use would not make it safer.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-function-type": "off",
      // states and tags are read from shared memory (Int32Array, Uint8Array) as numbers and compared
      // with the enums that name them; and TypeScript's own flag enums are compared by value
      "@typescript-eslint/no-unsafe-enum-comparison": "off",
      // the runtime's objects print as Python's repr through their toString, in templates too
      "@typescript-eslint/restrict-template-expressions": "off",
      // async functions that do not await are how a callback meets a Promise-returning signature
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // scripts and harnesses in plain JavaScript: the rules that need no types
    files: ["**/*.mjs", "**/*.js"],
    extends: [tseslint.configs.recommended],
  },
  {
    // bin/concnb.js is CommonJS (the package has no "type": "module")
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
