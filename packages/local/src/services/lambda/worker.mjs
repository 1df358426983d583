// Runs one Lambda function's bundled code in a worker thread: the module is loaded once (the cold start),
// then each message from the host is one invocation with a Lambda context.
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

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
} = workerData;

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
  const all = Module._nodeModulePaths(path.dirname(file));
  const codeRoot = path.resolve(codeDir);
  const inside = all.filter((dir) => dir.startsWith(codeRoot + path.sep));
  const above = all.filter((dir) => !dir.startsWith(codeRoot + path.sep));
  return [...inside, ...sdkPaths, ...above];
}

function loadCommonJs(file) {
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = requirePaths(file);
  mod._compile(readFileSync(file, 'utf8'), file);
  return mod.exports;
}

let handler;
let initError;
try {
  const mod = isEsm(entryFile) ? await import(pathToFileURL(entryFile).href) : loadCommonJs(entryFile);
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

parentPort.on('message', async ({ id, event, deadline, requestId }) => {
  if (initError) {
    parentPort.postMessage({ id, error: initError });
    return;
  }
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
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    parentPort.postMessage({ id, error: errorPayload(error, 'Error') });
  }
});
