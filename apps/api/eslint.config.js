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
  // The api's test kit reads the test run's settings (TEST_DB, TEST_LOG_LEVEL).
  { files: ['testing/**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
];
