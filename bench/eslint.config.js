import baseConfig from '@payreq/eslint-config/base';

export default [
  ...baseConfig,
  {
    // The shared config lets `**/bench/**` read process.env (knobs of a run); linted from this
    // folder, paths have no `bench/` in them, so the same exception is repeated here.
    rules: { 'no-restricted-properties': 'off' },
  },
];
