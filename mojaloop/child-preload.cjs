/**
 * Preloaded (`node -r`) into the peer's two child processes by mojaloop/peer.ts, never into the application.
 * 1. The children die with their parent: when the process that started them is gone (even after a SIGKILL,
 *    where no 'exit' handler runs), our parent pid changes and the child exits.
 * 2. The Testing Toolkit hard-codes its admin API on port 5050; TTK_ADMIN_PORT moves it, so a second peer
 *    (e.g. a test's own) can run next to the one of `npm start`.
 */
'use strict';
const parentPid = Number(process.env.PEER_PARENT_PID || 0);
if (parentPid > 0) {
  const timer = setInterval(() => {
    if (process.ppid !== parentPid) process.exit(0);
  }, 500);
  timer.unref();
}
const adminPort = Number(process.env.TTK_ADMIN_PORT || 0);
if (adminPort > 0 && adminPort !== 5050) {
  const net = require('node:net');
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(...args) {
    if (args[0] === 5050 || args[0] === '5050') args[0] = adminPort;
    else if (args[0] && typeof args[0] === 'object' && Number(args[0].port) === 5050) args[0] = { ...args[0], port: adminPort };
    return listen.apply(this, args);
  };
}

/**
 * 3. TTK_QUIET_LOGS=1: the toolkit's request logger broadcasts every log line (debug included, whatever
 *    LOG_LEVEL says) to socket.io with its whole context object, for a web UI the npm package does not ship.
 *    Encoding those took about 60 % of the toolkit's CPU and capped the peer near 2.5 payments/s. Keep errors
 *    (to stderr) and drop the rest.
 */
if (process.env.TTK_QUIET_LOGS === '1') {
  const Module = require('node:module');
  const util = require('node:util');
  const target = `${require('node:path').sep}ml-testing-toolkit${require('node:path').sep}src${require('node:path').sep}lib${require('node:path').sep}requestLogger.js`;
  const originalLoad = Module._load;
  let patched = false;
  Module._load = function patchedLoad(request, parent, isMain) {
    const exported = originalLoad.apply(this, arguments);
    if (!patched && typeof request === 'string' && request.endsWith('requestLogger')) {
      let filename = '';
      try {
        filename = Module._resolveFilename(request, parent, isMain);
      } catch {
        filename = '';
      }
      if (filename.endsWith(target)) {
        patched = true;
        exported.logMessage = (verbosity, message, externalData = {}) => {
          if (verbosity !== 'error') return;
          const extra = externalData && externalData.additionalData !== undefined ? ` ${util.inspect(externalData.additionalData, { depth: 2, breakLength: Infinity })}` : '';
          process.stderr.write(`${new Date().toISOString()} toolkit error: ${message}${extra.slice(0, 2000)}\n`);
        };
        exported.logRequest = () => {};
        exported.logResponse = () => {};
        exported.logOutboundRequest = () => {};
      }
    }
    return exported;
  };
}
