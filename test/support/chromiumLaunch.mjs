// Prints how to launch the Chromium that @sparticuz/chromium ships inside its npm package (unpacked to /tmp once):
// {"executablePath": ..., "args": [...]}. A script of its own because the package is ES modules only, which jest's
// CommonJS module system cannot load.
import chromium from '@sparticuz/chromium';

const executablePath = await chromium.executablePath();
process.stdout.write(JSON.stringify({ executablePath, args: chromium.args }));
