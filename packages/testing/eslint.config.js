import baseConfig from '@payreq/eslint-config/base';

export default [
  ...baseConfig,
  // A test kit reads the test run's own settings (TEST_DB, RELIABILITY_SUITE), not an app's.
  { rules: { 'no-restricted-properties': 'off' } },
];
