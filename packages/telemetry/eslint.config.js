import baseConfig from '@payreq/eslint-config/base';

export default baseConfig;
