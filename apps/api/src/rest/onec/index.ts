export { hashApiKey, seedOnecIntegration, authenticateOnec } from './auth';
export { buildOnecOpenApiDocument, serializeOnecOpenApiDocument, onecOperations } from './spec';
export { docsContentSecurityPolicy, loadDocsFiles } from './docs-page';
export { registerOnecRest, defaultOnecRestOptions, documentBodyLimit } from './routes';
export type { OnecRestOptions } from './routes';
