/**
 * Registers the server's `executeCommandProvider` commands as VS Code commands exactly once.
 *
 * vscode-languageclient's built-in ExecuteCommandFeature calls `vscode.commands.registerCommand` for every
 * command the server advertises. VS Code command ids are global, so a second client (another workspace folder,
 * a restart racing the old client's disposal, or another extension using the same ids) makes it throw
 * "command 'forge.builder.start' already exists" and the client fails to start. This feature replaces the
 * built-in one: commands are registered once in a process-wide registry, shared by every client that
 * advertises them, dispatched to the most recently registered running client, and unregistered when the last
 * client that advertised them goes away.
 */
import * as vscode from 'vscode';
import type {
  ClientCapabilities,
  DynamicFeature,
  ExecuteCommandRegistrationOptions,
  FeatureState,
  RegistrationData,
  ServerCapabilities,
  BaseLanguageClient,
  StaticFeature,
} from 'vscode-languageclient';
import { ExecuteCommandRequest } from 'vscode-languageclient';

type Handler = (args: unknown[]) => Thenable<unknown>;

interface Entry {
  disposable: vscode.Disposable | undefined;
  handlers: { owner: object; handler: Handler }[];
}

export class SharedCommandRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  /** Adds `owner`'s handler for `command`; registers the VS Code command on first use. */
  add(command: string, owner: object, handler: Handler): vscode.Disposable {
    let entry = this.entries.get(command);
    if (!entry) {
      entry = { disposable: undefined, handlers: [] };
      try {
        entry.disposable = vscode.commands.registerCommand(command, (...args: unknown[]) =>
          this.dispatch(command, args),
        );
      } catch (error) {
        // Someone else (another extension) owns the id: keep the client working without it.
        this.log(`forge-ls: not registering command ${command}: ${String(error)}`);
      }
      this.entries.set(command, entry);
    }
    const record = { owner, handler };
    entry.handlers.push(record);
    return new vscode.Disposable(() => this.remove(command, record));
  }

  has(command: string): boolean {
    return this.entries.has(command);
  }

  commands(): string[] {
    return [...this.entries.keys()];
  }

  private remove(command: string, record: { owner: object; handler: Handler }): void {
    const entry = this.entries.get(command);
    if (!entry) {
      return;
    }
    entry.handlers = entry.handlers.filter((h) => h !== record);
    if (entry.handlers.length === 0) {
      entry.disposable?.dispose();
      this.entries.delete(command);
    }
  }

  private dispatch(command: string, args: unknown[]): Thenable<unknown> {
    const entry = this.entries.get(command);
    const last = entry?.handlers[entry.handlers.length - 1];
    if (!last) {
      return Promise.reject(new Error(`forge-ls is not running; command ${command} is unavailable`));
    }
    return last.handler(args);
  }
}

/** The registry shared by every client of this extension host. */
export const sharedCommands = new SharedCommandRegistry();

export class SharedExecuteCommandFeature implements DynamicFeature<ExecuteCommandRegistrationOptions> {
  private readonly registrations = new Map<string, vscode.Disposable[]>();

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly registry: SharedCommandRegistry = sharedCommands,
  ) {}

  get registrationType() {
    return ExecuteCommandRequest.type;
  }

  getState(): FeatureState {
    return { kind: 'workspace', id: this.registrationType.method, registrations: this.registrations.size > 0 };
  }

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.workspace = capabilities.workspace ?? {};
    capabilities.workspace.executeCommand = { ...capabilities.workspace.executeCommand, dynamicRegistration: true };
  }

  initialize(capabilities: ServerCapabilities): void {
    if (!capabilities.executeCommandProvider) {
      return;
    }
    this.register({ id: `initial-${Math.random().toString(36).slice(2)}`, registerOptions: { ...capabilities.executeCommandProvider } });
  }

  register(data: RegistrationData<ExecuteCommandRegistrationOptions>): void {
    const client = this.client;
    const middleware = client.middleware;
    const send = (command: string, args: unknown[]) =>
      client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }).then(undefined, (error) =>
        client.handleFailedRequest(ExecuteCommandRequest.type, undefined, error, undefined),
      );
    const disposables: vscode.Disposable[] = [];
    for (const command of data.registerOptions.commands ?? []) {
      disposables.push(
        this.registry.add(command, this, (args) =>
          middleware.executeCommand ? middleware.executeCommand(command, args, send) : send(command, args),
        ),
      );
    }
    this.registrations.set(data.id, disposables);
  }

  unregister(id: string): void {
    this.registrations.get(id)?.forEach((d) => d.dispose());
    this.registrations.delete(id);
  }

  clear(): void {
    this.registrations.forEach((list) => list.forEach((d) => d.dispose()));
    this.registrations.clear();
  }
}

/** Swaps the built-in ExecuteCommandFeature for the shared one while a client registers its features. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFeature = StaticFeature | DynamicFeature<any>;

export function replaceExecuteCommandFeature(feature: AnyFeature, client: BaseLanguageClient): AnyFeature {
  const method = (feature as { registrationType?: { method?: string } }).registrationType?.method;
  if (method === ExecuteCommandRequest.method && !(feature instanceof SharedExecuteCommandFeature)) {
    return new SharedExecuteCommandFeature(client);
  }
  return feature;
}
