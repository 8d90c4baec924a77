import reactConfig from '@payreq/eslint-config/react';

export default [...reactConfig, { ignores: ['docs/**'] }];
