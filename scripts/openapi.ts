/**
 * Writes the API's OpenAPI document, as the code builds it (src/api/apiDocument.ts), to the file named on the command
 * line: the console's typed client is generated from it (scripts/console.sh), so the console is checked against
 * the routes the API serves, not against a copy kept by hand.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/api/apiDocument';

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/openapi.ts <output.json>');
writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
