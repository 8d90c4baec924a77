import baseConfig from '@payreq/eslint-config/base';
import reactConfig from '@payreq/eslint-config/react';

/** Node code everywhere; the web stand-in (web/) is browser code with React's hook rules. */
const reactRules = reactConfig.at(-1);

export default [...baseConfig, { ...reactRules, files: ['web/**/*.ts', 'web/**/*.tsx'] }];
