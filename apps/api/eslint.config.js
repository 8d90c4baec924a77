import baseConfig from '@payreq/eslint-config/base';

export default [
  ...baseConfig,
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression > MemberExpression.callee[property.name='$transaction']",
          message:
            'Start transactions with `transaction` of src/db.ts: it wakes the outbox workers after the commit.',
        },
      ],
    },
  },
];
