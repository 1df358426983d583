// Runs one Lambda function's bundled code in a worker thread, or in a child process when the function's
// runtime names another Node.js major than the host's: the module is loaded once (the init phase, reported to
// the host with a "ready" message), then each message from the host is one invocation with a Lambda context.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import Module, { register } from 'node:module';
import * as path from 'node:path';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { pathToFileURL, URL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

/** The host's channel: the worker thread's port, or the IPC channel of a child process. */
const channel = parentPort
  ? { post: (m) => parentPort.postMessage(m), on: (f) => parentPort.on('message', f), init: workerData }
  : {
      post: (m) => {
        if (process.connected) process.send(m);
      },
      on: (f) => process.on('message', f),
      init: await new Promise((resolve) => {
        const first = (m) => {
          if (m?.type !== 'init') return;
          process.off('message', first);
          resolve(m.init);
        };
        process.on('message', first);
        // The host went away: so does its environment.
        process.on('disconnect', () => process.exit(0));
      }),
    };

const {
  entryFile,
  exportName,
  sdkPaths,
  codeDir,
  functionName,
  functionArn,
  memorySize,
  logGroupName,
  logStreamName,
} = channel.init;

function errorPayload(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: fallbackType, errorMessage: String(error), trace: [] };
}

/**
 * Lambda decides between CommonJS and ES modules by the function's own code: `.mjs`, or a package.json with
 * "type": "module" in the code folder. A project's package.json further up must not decide it.
 */
function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  const pkg = path.join(path.dirname(file), 'package.json');
  return existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
}

/**
 * Where `require` looks, in Lambda's order: `node_modules` folders inside the function's code, then the
 * runtime's own SDK (Lambda's `NODE_PATH` names `/var/runtime/node_modules`), and only then — which Lambda
 * does not have — the folders above the code, so the runtime's SDK wins over a project's copy.
 */
function requirePaths(file) {
  const all = nodeModulePaths(path.dirname(file));
  const codeRoot = path.resolve(codeDir);
  const inside = all.filter((dir) => dir.startsWith(codeRoot + path.sep));
  const above = all.filter((dir) => !dir.startsWith(codeRoot + path.sep));
  return [...inside, ...sdkPaths, ...above];
}

// Every CommonJS module of the function's code looks where its entry does, as Lambda's NODE_PATH reaches
// them all: CDK's provider framework requires @aws-sdk/client-lambda from a module its entry requires.
const nodeModulePaths = Module._nodeModulePaths;
const codeRoot = path.resolve(codeDir);
Module._nodeModulePaths = (from) => {
  const dir = path.resolve(from);
  return dir === codeRoot || dir.startsWith(codeRoot + path.sep)
    ? requirePaths(path.join(dir, 'x'))
    : nodeModulePaths(from);
};

function loadCommonJs(file) {
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = requirePaths(file);
  mod._compile(readFileSync(file, 'utf8'), file);
  return mod.exports;
}

/**
 * The same order for `import`: NODE_PATH does not reach ES modules, so a resolve hook does. A bare
 * `@aws-sdk/*`, `@smithy/*` or `@aws-crypto/*` specifier imported from the function's code resolves to a
 * copy inside the code if there is one, else to the provided SDK, else as Node.js would (folders above).
 * Kept as a string so that it travels with this file.
 */
const SDK_RESOLVE_HOOK = `
let codeUrls = [];
let sdkDirs = [];
export function initialize(data) {
  codeUrls = data.codeUrls;
  sdkDirs = data.sdkDirs;
}
const inCode = (url) => codeUrls.some((code) => url.startsWith(code));
const PROVIDED = /^@(aws-sdk|smithy|aws-crypto)\\//;
export async function resolve(specifier, context, nextResolve) {
  if (!PROVIDED.test(specifier) || !context.parentURL || !inCode(context.parentURL)) {
    return nextResolve(specifier, context);
  }
  let found;
  let failure;
  try {
    found = await nextResolve(specifier, context);
    if (inCode(found.url)) return found;
  } catch (error) {
    failure = error;
  }
  for (const dir of sdkDirs) {
    try {
      const provided = await nextResolve(specifier, { ...context, parentURL: dir.parentURL });
      if (provided.url.startsWith(dir.url)) return provided;
    } catch {
      // not in this folder
    }
  }
  if (found) return found;
  throw failure;
}
`;

function registerSdkResolution() {
  // Module URLs are real paths (a temporary folder may be a symbolic link, as on macOS).
  const codeUrls = [...new Set([path.resolve(codeDir), realpathSync(codeDir)])].map(
    (dir) => pathToFileURL(dir).href + '/',
  );
  const sdkDirs = sdkPaths.map((dir) => ({
    url: pathToFileURL(realpathSync(dir)).href + '/',
    // A module inside the node_modules' parent folder: resolution from it looks in that node_modules first.
    parentURL: pathToFileURL(path.join(dir, '..', 'conflux-provided-sdk.mjs')).href,
  }));
  register(`data:text/javascript,${encodeURIComponent(SDK_RESOLVE_HOOK)}`, {
    data: { codeUrls, sdkDirs },
  });
}

/**
 * Servers of the runtime that stand in for an https host (CloudFormation's response URL, which CDK's
 * custom resource handlers PUT to with `https.request({ hostname, path })`, dropping its port): an https
 * request to that host on port 443 under that path goes to the local server over http. The variable is
 * the runtime's, not the function's: it is removed before the function's code loads.
 */
const standIns = JSON.parse(process.env._CONFLUX_HTTPS_STAND_INS ?? '[]');
delete process.env._CONFLUX_HTTPS_STAND_INS;
if (standIns.length > 0) {
  const [http, https] = await Promise.all([import('node:http'), import('node:https')]);
  const standIn = (options) => {
    const o = typeof options === 'string' || options instanceof URL ? new URL(options) : options;
    if (o === null || typeof o !== 'object') return undefined;
    const port = o.port === undefined || o.port === null || o.port === '' ? 443 : Number(o.port);
    const host = o.hostname ?? o.host;
    const found = standIns.find(
      (s) =>
        port === 443 && host === s.hostname && String(o.pathname ?? o.path ?? '/').startsWith(s.pathPrefix),
    );
    if (!found) return undefined;
    const pathText = o instanceof URL ? `${o.pathname}${o.search}` : o.path;
    return {
      method: o.method,
      headers: o.headers,
      path: pathText,
      hostname: found.hostname,
      port: found.port,
    };
  };
  for (const name of ['request', 'get']) {
    const original = https.default[name];
    https.default[name] = (options, ...rest) => {
      const local = standIn(options);
      if (!local) return original(options, ...rest);
      const extra = rest[0] !== null && typeof rest[0] === 'object' ? rest.shift() : {};
      return http.default[name](
        {
          ...local,
          ...extra,
          protocol: 'http:',
          hostname: local.hostname,
          port: local.port,
          agent: undefined,
        },
        ...rest,
      );
    };
  }
}

/**
 * Each invocation's output, also sent to the host (the invocation log of the console): what the function
 * writes still goes where it went, the host's stdout and stderr. Output of the init phase goes without an
 * id; the host gives it to the invocation that cold-started the environment.
 */
let currentId;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    try {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      channel.post({ type: 'log', ...(currentId === undefined ? {} : { id: currentId }), text });
    } catch {
      // the log is a copy: the write below is what counts
    }
    return write(chunk, ...rest);
  };
}

let handler;
let initError;
try {
  let mod;
  if (isEsm(entryFile)) {
    registerSdkResolution();
    mod = await import(pathToFileURL(entryFile).href);
  } else {
    mod = loadCommonJs(entryFile);
  }
  handler = mod[exportName];
  if (typeof handler !== 'function') {
    initError = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${entryFile}.${exportName} is undefined or not exported`,
      trace: [],
    };
  }
} catch (error) {
  initError = { ...errorPayload(error, 'Runtime.ImportModuleError'), errorType: 'Runtime.ImportModuleError' };
}

channel.on(async (message) => {
  if (message?.type === 'init') return;
  const { id, event, deadline, requestId } = message;
  if (initError) {
    channel.post({ type: 'result', id, error: initError });
    return;
  }
  currentId = id;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result =
      handler.length >= 3
        ? await new Promise((resolve, reject) => {
            const maybe = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
            if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
          })
        : await handler(event, context);
    channel.post({
      type: 'result',
      id,
      result: result === undefined ? null : JSON.parse(JSON.stringify(result)),
    });
  } catch (error) {
    channel.post({ type: 'result', id, error: errorPayload(error, 'Error') });
  }
  currentId = undefined;
});

// The init phase is over: the host starts the invocation's clock now.
channel.post({ type: 'ready', ...(initError ? { error: initError } : {}) });
