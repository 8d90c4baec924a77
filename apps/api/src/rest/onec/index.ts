export { hashApiKey, seedOnecIntegration, authenticateOnec } from './auth';
export { buildOnecOpenApiDocument, serializeOnecOpenApiDocument, onecOperations } from './spec';
export { renderOpenApiHtml } from './docs-page';
export { registerOnecRest, defaultOnecRestOptions, documentBodyLimit } from './routes';
export type { OnecRestOptions } from './routes';
