'use strict';
// A stand-in for the `vscode` module, enough to load vscode-languageclient and the extension under plain node.
// It records what the code under test does (registered commands, messages shown) and, like VS Code, throws
// when a command id is registered twice.

const recorded = {
  commands: new Map(), // id -> handler
  registrations: [], // every registerCommand call, in order
  errors: [], // showErrorMessage calls: {message, items}
  infos: [],
  config: {}, // 'section.key' -> value
  errorChoice: undefined, // what showErrorMessage resolves to
  clipboard: undefined,
};

class StubDisposable {
  constructor(fn) {
    this._fn = fn;
  }
  static from(...items) {
    return new StubDisposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this._fn) {
      const fn = this._fn;
      this._fn = undefined;
      fn();
    }
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener) => {
      this._listeners.add(listener);
      return new StubDisposable(() => this._listeners.delete(listener));
    };
  }
  fire(value) {
    for (const l of [...this._listeners]) l(value);
  }
  dispose() {
    this._listeners.clear();
  }
}

const noopEvent = () => new StubDisposable(() => undefined);

const commands = {
  registerCommand(id, handler) {
    if (recorded.commands.has(id)) {
      // The message VS Code's CommandsRegistry throws.
      throw new Error(`command '${id}' already exists`);
    }
    recorded.commands.set(id, handler);
    recorded.registrations.push(id);
    return new StubDisposable(() => {
      if (recorded.commands.get(id) === handler) recorded.commands.delete(id);
    });
  },
  async executeCommand(id, ...args) {
    const handler = recorded.commands.get(id);
    if (!handler) throw new Error(`command '${id}' not found`);
    return handler(...args);
  },
  async getCommands() {
    return [...recorded.commands.keys()];
  },
};

function configuration(section) {
  return {
    get(key, dflt) {
      const full = section ? `${section}.${key}` : key;
      return Object.prototype.hasOwnProperty.call(recorded.config, full) ? recorded.config[full] : dflt;
    },
    has(key) {
      return Object.prototype.hasOwnProperty.call(recorded.config, section ? `${section}.${key}` : key);
    },
    inspect() {
      return undefined;
    },
    update: async () => undefined,
  };
}

const outputChannel = (name) => ({
  name,
  logLevel: 2,
  onDidChangeLogLevel: noopEvent,
  lines: [],
  append(t) {
    this.lines.push(t);
  },
  appendLine(t) {
    this.lines.push(t);
  },
  trace() {},
  debug() {},
  info(t) {
    this.lines.push(t);
  },
  warn(t) {
    this.lines.push(t);
  },
  error(t) {
    this.lines.push(String(t));
  },
  replace() {},
  clear() {},
  show() {},
  hide() {},
  dispose() {},
});

const window = {
  createOutputChannel: outputChannel,
  async showErrorMessage(message, ...items) {
    recorded.errors.push({ message, items });
    return recorded.errorChoice;
  },
  async showInformationMessage(message, ...items) {
    recorded.infos.push({ message, items });
    return undefined;
  },
  async showWarningMessage() {
    return undefined;
  },
  activeTextEditor: undefined,
  visibleTextEditors: [],
  onDidChangeActiveTextEditor: noopEvent,
  onDidChangeVisibleTextEditors: noopEvent,
  tabGroups: { all: [], onDidChangeTabs: noopEvent, onDidChangeTabGroups: noopEvent },
  createTerminal() {
    return { show() {}, sendText() {}, dispose() {} };
  },
};

const workspace = {
  workspaceFolders: undefined,
  textDocuments: [],
  notebookDocuments: [],
  getConfiguration: configuration,
  onDidChangeConfiguration: noopEvent,
  onDidOpenTextDocument: noopEvent,
  onDidCloseTextDocument: noopEvent,
  onDidChangeTextDocument: noopEvent,
  onDidSaveTextDocument: noopEvent,
  onWillSaveTextDocument: noopEvent,
  onDidChangeWorkspaceFolders: noopEvent,
  onDidCreateFiles: noopEvent,
  onDidRenameFiles: noopEvent,
  onDidDeleteFiles: noopEvent,
  onWillCreateFiles: noopEvent,
  onWillRenameFiles: noopEvent,
  onWillDeleteFiles: noopEvent,
  registerTextDocumentContentProvider: () => new StubDisposable(() => undefined),
  createFileSystemWatcher: () => ({
    onDidCreate: noopEvent,
    onDidChange: noopEvent,
    onDidDelete: noopEvent,
    dispose() {},
  }),
};

const languages = {
  getDiagnostics: () => [],
  onDidChangeDiagnostics: noopEvent,
  createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {} }),
  registerDocumentSymbolProvider: () => new StubDisposable(() => undefined),
  setTextDocumentLanguage: async (doc) => doc,
};

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    [this.start, this.end] = a instanceof Position ? [a, b] : [new Position(a, b), new Position(c, d)];
  }
}

class DocumentSymbol {
  constructor(name, detail, kind, range, selectionRange) {
    Object.assign(this, { name, detail, kind, range, selectionRange, children: [] });
  }
}

// The chat API's history turn, for handlers that read `context.history`.
class ChatResponseTurn {
  constructor(response, result, participant, command) {
    Object.assign(this, { response, result, participant, command });
  }
}

const explicit = {
  Disposable: StubDisposable,
  ChatResponseTurn,
  // `vscode.chat`: undefined (a VS Code without the Chat API) unless a test sets `__recorded.chat`.
  get chat() {
    return recorded.chat;
  },
  Position,
  Range,
  DocumentSymbol,
  SymbolKind: { File: 0, Module: 1, String: 14 },
  EventEmitter,
  commands,
  window,
  workspace,
  languages,
  env: {
    clipboard: {
      async writeText(t) {
        recorded.clipboard = t;
      },
    },
    language: 'en',
    appName: 'stub',
  },
  version: '1.95.0',
  Uri: {
    parse: (s) => ({ toString: () => s, fsPath: s.replace(/^file:\/\//, ''), scheme: s.split(':')[0], path: s }),
    file: (p) => ({ toString: () => `file://${p}`, fsPath: p, scheme: 'file', path: p }),
    from: (c) => ({ toString: () => `${c.scheme}:${c.path}`, scheme: c.scheme, path: c.path }),
  },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  QuickInputButtons: { Back: { iconPath: 'back' } },
  __recorded: recorded,
  __reset() {
    recorded.commands.clear();
    recorded.registrations.length = 0;
    recorded.errors.length = 0;
    recorded.infos.length = 0;
    recorded.config = {};
    recorded.errorChoice = undefined;
    recorded.clipboard = undefined;
    recorded.chat = undefined;
  },
};

// Anything not spelled out above (enums, classes the client subclasses, ...) is a harmless class, so the
// client library loads; the tests only rely on the explicit parts.
const generated = new Map();
module.exports = new Proxy(explicit, {
  get(target, prop) {
    if (prop in target) return target[prop];
    if (typeof prop !== 'string') return undefined;
    if (!generated.has(prop)) {
      generated.set(
        prop,
        new Proxy(class {}, {
          get(cls, key) {
            if (key in cls) return cls[key];
            return typeof key === 'string' ? key : undefined;
          },
        }),
      );
    }
    return generated.get(prop);
  },
});
