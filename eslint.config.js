import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".taskhub/**", "coverage/**", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      // Durable tasks reject with whatever user code threw, which need not be an Error.
      "@typescript-eslint/prefer-promise-reject-errors": "off",
      "no-console": "error",
      eqeqeq: "error",
      // Activities are naturally written as async functions even when they do not await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@azure/*", "applicationinsights"], message: "src/core is pure: no storage or telemetry imports." },
            { group: ["node:fs*", "node:net", "node:http*", "node:timers*", "node:child_process"], message: "src/core is pure: no I/O or timers." },
          ],
        },
      ],
      "no-restricted-globals": ["error", "setTimeout", "setInterval", "setImmediate", "fetch"],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", setInterval: "readonly", clearTimeout: "readonly" },
    },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*", "src/samples/**/*.ts", "src/cli/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
    },
  },
);
