'use strict';
// Preloaded with `node --require`: makes `require('vscode')` return the stub.
const Module = require('module');
const path = require('path');

const stubPath = path.join(__dirname, 'vscode-stub.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return stubPath;
  return resolve.call(this, request, ...rest);
};
