// Starts `aec lsp` for .ae files (diagnostics, hover, completion, definition,
// symbols, formatting); highlighting comes from syntaxes/ae.tmLanguage.json.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("aec");
  const args = ["lsp"];
  const stdlib = config.get("stdlib");
  if (stdlib) args.push("--stdlib", stdlib);
  const server = { command: config.get("path") || "aec", args };
  client = new LanguageClient("aec", "aec language server", server, {
    documentSelector: [{ scheme: "file", language: "ae" }, { scheme: "untitled", language: "ae" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
