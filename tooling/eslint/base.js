import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Shared lint rules. Raw `process.env` is allowed only in each app's `env.ts`,
 * so configuration is validated in one place.
 */
export default tseslint.config(
  { ignores: ['**/dist/**', '**/.cache/**', '**/src/generated/**', '**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'warn',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: "Read configuration through the app's validated env.ts.",
        },
      ],
    },
  },
  {
    files: [
      '**/env.ts',
      '**/*.config.ts',
      '**/*.config.js',
      '**/scripts/**',
      '**/test/**',
      '**/*.test.ts',
      '**/bench/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
