import { LanguageClient } from 'vscode-languageclient/node';
import type { DynamicFeature, StaticFeature } from 'vscode-languageclient';
import { replaceExecuteCommandFeature } from './serverCommands';

/**
 * A LanguageClient whose server commands are registered through the shared registry (see serverCommands.ts)
 * instead of vscode-languageclient's ExecuteCommandFeature, so they are registered exactly once.
 */
export class ForgeLanguageClient extends LanguageClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  public registerFeature(feature: StaticFeature | DynamicFeature<any>): void {
    super.registerFeature(replaceExecuteCommandFeature(feature, this));
  }
}
