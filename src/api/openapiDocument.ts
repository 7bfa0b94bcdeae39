/**
 * STUB (routes2): the lead's generated document replaces this file. Until then /openapi.json serves the
 * hand-written description, so the docs routes work as before.
 */
export { openApiDocument } from './openapi';
