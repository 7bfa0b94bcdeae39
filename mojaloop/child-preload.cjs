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
    else if (args[0] && typeof args[0] === 'object' && Number(args[0].port) === 5050)
      args[0] = { ...args[0], port: adminPort };
    return listen.apply(this, args);
  };
}

/**
 * 3. TTK_LEAN=1 (the toolkit only), for a toolkit that serves an adapter and no web UI:
 *    - its request logger broadcasts every log line (debug included, whatever LOG_LEVEL says) to socket.io with
 *      its whole context object, for a web UI the npm package does not ship. Encoding those took about 60 % of
 *      the toolkit's CPU and capped the peer near 2.5 payments/s. Errors still go to stderr;
 *    - it keeps every request and callback (headers and bodies) for 10 minutes for that UI and for its own test
 *      runner's assertions (requestsHistory, callbacksHistory, requests, callbacks): about 300 MB at 18
 *      payments/s, and GC stalls long enough for the adapter to time out. Not kept. (storedTransfers, which
 *      GET /transfers uses for the fulfilment, is kept.)
 *    - request-to-curl (loaded by its test runner) patches http.ClientRequest.prototype.onSocket so that every
 *      write on a socket is appended to the first request that used it, wrapping socket.write once more per
 *      reuse: with keep-alive callbacks that grows without bound (out of memory after about 1,800 payments).
 *      It only patches when ClientRequest.prototype.toCurl is not defined yet, so defining it first keeps it out.
 */
if (process.env.TTK_LEAN === '1') {
  const http = require('node:http');
  if (!http.ClientRequest.prototype.toCurl) {
    http.ClientRequest.prototype.toCurl = function toCurl() {
      return '(disabled by mojaloop/child-preload.cjs)';
    };
  }
  const Module = require('node:module');
  const path = require('node:path');
  const util = require('node:util');
  const lib = `${path.sep}ml-testing-toolkit${path.sep}src${path.sep}lib${path.sep}`;
  const patches = {
    'requestLogger.js': (exported) => {
      exported.logMessage = (verbosity, message, externalData = {}) => {
        if (verbosity !== 'error') return;
        const extra =
          externalData && externalData.additionalData !== undefined
            ? ` ${util.inspect(externalData.additionalData, { depth: 2, breakLength: Infinity })}`
            : '';
        process.stderr.write(`${new Date().toISOString()} toolkit error: ${message}${extra.slice(0, 2000)}\n`);
      };
      exported.logRequest = () => {};
      exported.logResponse = () => {};
      exported.logOutboundRequest = () => {};
    },
    'arrayStore.js': (exported) => {
      const push = exported.push;
      exported.push = (key, value, user) =>
        key === 'requestsHistory' || key === 'callbacksHistory' ? undefined : push(key, value, user);
    },
    'objectStore.js': (exported) => {
      const push = exported.push;
      exported.push = (key, item, value, user) =>
        key === 'requests' || key === 'callbacks' ? undefined : push(key, item, value, user);
    },
  };
  const done = new Set();
  const originalLoad = Module._load;
  Module._load = function patchedLoad(request, parent, isMain) {
    const exported = originalLoad.apply(this, arguments);
    if (typeof request === 'string' && done.size < Object.keys(patches).length) {
      const base = `${path.basename(request).replace(/\.js$/, '')}.js`;
      if (patches[base] && !done.has(base)) {
        let filename;
        try {
          filename = Module._resolveFilename(request, parent, isMain);
        } catch {
          filename = '';
        }
        if (filename.endsWith(`${lib}${base}`)) {
          done.add(base);
          patches[base](exported);
        }
      }
    }
    return exported;
  };
}
