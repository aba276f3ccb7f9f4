// `forge-ls acp` driven by a client someone else wrote: the official ACP TypeScript SDK
// (@agentclientprotocol/sdk) speaking to the real binary over stdio. Model requests go to an HTTP
// server on 127.0.0.1; nothing here reaches the network.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { Readable, Writable } from "node:stream";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as acp from "@agentclientprotocol/sdk";

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.FORGE_LS ?? path.join(here, "../../target/debug/forge-ls");
const TIMEOUT = 60_000;

function workspace() {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "forge-acp-")));
}

/** A client session with forge-ls acp: what it was sent, and answers to its requests. */
class Agent {
  constructor({ args = [], env = {}, allow = true, fsWrite = true } = {}) {
    this.child = spawn(BIN, ["acp", ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, FORGE_LS_LOG: "warn", ...env },
    });
    this.stderr = "";
    this.child.stderr.on("data", (d) => (this.stderr += d));
    this.updates = [];
    this.permissions = [];
    this.written = [];
    this.allow = allow;
    this.fsWrite = fsWrite;
    const app = acp
      .client({ name: "forge-ls-acp-test" })
      .onNotification(acp.methods.client.session.update, ({ params }) => {
        this.updates.push(params);
      })
      .onRequest(acp.methods.client.session.requestPermission, ({ params }) => {
        this.permissions.push(params);
        return { outcome: { outcome: "selected", optionId: this.allow ? "yes" : "no" } };
      })
      .onRequest(acp.methods.client.fs.writeTextFile, ({ params }) => {
        fs.mkdirSync(path.dirname(params.path), { recursive: true });
        fs.writeFileSync(params.path, params.content);
        this.written.push(params.path);
        return {};
      });
    const stream = acp.ndJsonStream(
      Writable.toWeb(this.child.stdin),
      Readable.toWeb(this.child.stdout),
    );
    this.connection = app.connect(stream);
    this.agent = this.connection.agent;
  }

  async initialize() {
    return this.agent.request(acp.methods.agent.initialize, {
      protocolVersion: acp.PROTOCOL_VERSION,
      clientCapabilities: { fs: { readTextFile: false, writeTextFile: this.fsWrite } },
    });
  }

  async newSession(cwd) {
    const r = await this.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] });
    return r.sessionId;
  }

  /** Sends a prompt; resolves with the response and the agent's text streamed meanwhile. */
  async prompt(sessionId, text) {
    const from = this.updates.length;
    const r = await this.agent.request(acp.methods.agent.session.prompt, {
      sessionId,
      prompt: [{ type: "text", text }],
    });
    return { ...r, text: this.text(sessionId, from) };
  }

  /** The agent message chunks of `sessionId` since update `from`, joined. */
  text(sessionId, from = 0) {
    return this.updates
      .slice(from)
      .filter((u) => u.sessionId === sessionId && u.update.sessionUpdate === "agent_message_chunk")
      .map((u) => u.update.content.text)
      .join("");
  }

  async close() {
    this.connection.close();
    this.child.stdin.end();
    if (this.child.exitCode === null) {
      await new Promise((resolve) => {
        const t = setTimeout(() => {
          this.child.kill();
          resolve();
        }, 3000);
        this.child.on("exit", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Answers "skip" until the builder shows its review; returns the review's text. */
async function skipToReview(a, sid) {
  for (let i = 0; i < 20; i++) {
    const r = await a.prompt(sid, "skip");
    if (r.text.includes("Does this look right?")) return r.text;
  }
  throw new Error(`never reached the review: ${a.text(sid)}`);
}

function checkClean(folder) {
  const r = spawnSync(BIN, ["check", "--format", "json", folder], { encoding: "utf8" });
  assert.equal(r.status, 0, `forge-ls check found errors: ${r.stdout}${r.stderr}`);
}

test("a conversation creates a bot on disk through the client's file system", { timeout: TIMEOUT }, async () => {
  const ws = workspace();
  const a = new Agent();
  try {
    const init = await a.initialize();
    assert.equal(init.protocolVersion, acp.PROTOCOL_VERSION);
    assert.equal(init.agentCapabilities.loadSession, true);
    assert.deepEqual(init.authMethods, []);
    const sid = await a.newSession(ws);
    let r = await a.prompt(sid, "A patient chemistry tutor that never gives away graded answers");
    assert.equal(r.stopReason, "end_turn");
    assert.match(r.text, /\*\*What should your bot be called\?\*\*/);
    assert.match(r.text, /\n1\. \*\*/);
    const commands = a.updates.find((u) => u.update.sessionUpdate === "available_commands_update");
    assert.deepEqual(
      commands.update.availableCommands.map((c) => c.name),
      ["bot", "skill", "resume", "back", "preview", "assemble", "reconfigure"],
    );
    r = await a.prompt(sid, "Mendel");
    assert.match(r.text, /what does Mendel do/);
    r = await a.prompt(sid, "/preview");
    assert.match(r.text, /- \*\*Name:\*\* Mendel/);
    await skipToReview(a, sid);
    r = await a.prompt(sid, "/assemble");
    assert.equal(r.stopReason, "end_turn");
    // The write is an `edit` tool call with the files as diffs, asked for first.
    const call = a.updates.find((u) => u.update.sessionUpdate === "tool_call").update;
    assert.equal(call.kind, "edit");
    assert.ok(call.content.every((c) => c.type === "diff"));
    assert.equal(a.permissions.length, 1);
    assert.equal(a.permissions[0].toolCall.toolCallId, call.toolCallId);
    const soul = path.join(ws, "bots/mendel/SOUL.md");
    assert.ok(a.written.includes(soul), a.written.join(", "));
    assert.match(fs.readFileSync(soul, "utf8"), /Mendel/);
    const done = a.updates.filter((u) => u.update.sessionUpdate === "tool_call_update").pop();
    assert.equal(done.update.status, "completed");
    assert.match(r.text, /Done: \*\*Mendel\*\* is written/);
    assert.match(r.text, /`bots\/mendel\/SOUL\.md`/);
    assert.match(r.text, /forge-ls finds no problems in them/);
    checkClean(path.join(ws, "bots/mendel"));
  } finally {
    await a.close();
  }
});

/** A minimal LSP client over stdio: the draft is started the way an editor starts it. */
async function lspStart(ws, answers) {
  const child = spawn(BIN, ["--stdio"], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, FORGE_LS_LOG: "error" } });
  let buf = Buffer.alloc(0);
  const waiting = new Map();
  child.stdout.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const head = buf.indexOf("\r\n\r\n");
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())[1]);
      if (buf.length < head + 4 + len) return;
      const msg = JSON.parse(buf.subarray(head + 4, head + 4 + len).toString());
      buf = buf.subarray(head + 4 + len);
      if (msg.method && msg.id !== undefined) send({ jsonrpc: "2.0", id: msg.id, result: null });
      else if (msg.id !== undefined && waiting.has(msg.id)) waiting.get(msg.id)(msg);
    }
  });
  const send = (m) => {
    const body = Buffer.from(JSON.stringify(m));
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  let next = 1;
  const request = (method, params) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      send({ jsonrpc: "2.0", id, method, params });
    });
  const uri = `file://${ws}`;
  await request("initialize", { processId: null, rootUri: uri, workspaceFolders: [{ uri, name: "ws" }], capabilities: {} });
  send({ jsonrpc: "2.0", method: "initialized", params: {} });
  const exec = async (command, arg) => {
    const r = await request("workspace/executeCommand", { command, arguments: [arg] });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    return r.result;
  };
  const started = await exec("forge.builder.start", { mode: "bot", description: "Helps me practise Spanish verbs" });
  const sid = started.session_id;
  for (const answer of answers) await exec("forge.builder.answer", { session_id: sid, answer });
  await request("shutdown", null);
  send({ jsonrpc: "2.0", method: "exit" });
  await new Promise((resolve) => child.on("exit", resolve));
  return sid;
}

test("session/load resumes a draft started through the LSP commands", { timeout: TIMEOUT }, async () => {
  const ws = workspace();
  const sid = await lspStart(ws, [{ text: "Verbo" }, { option: 0 }]);
  const a = new Agent();
  try {
    await a.initialize();
    const loaded = await a.agent.request(acp.methods.agent.session.load, { sessionId: sid, cwd: ws, mcpServers: [] });
    assert.ok(loaded);
    const replay = a.updates.filter((u) => u.sessionId === sid);
    const users = replay.filter((u) => u.update.sessionUpdate === "user_message_chunk").map((u) => u.update.content.text);
    assert.deepEqual(users.slice(0, 2), ["Helps me practise Spanish verbs", "Verbo"]);
    const said = a.text(sid);
    assert.match(said, /\*\*What should your bot be called\?\*\*/);
    assert.match(said, /Which kind of bot is Verbo\?/);
    const commandsFor = () =>
      a.updates.some((u) => u.sessionId === sid && u.update.sessionUpdate === "available_commands_update");
    for (let i = 0; i < 100 && !commandsFor(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(commandsFor(), "the slash commands follow the load");
    // The conversation goes on where the LSP left it.
    const r = await a.prompt(sid, "1");
    assert.equal(r.stopReason, "end_turn");
    assert.match(r.text, /\*Personality · /);
    // An unknown draft is a clear error.
    await assert.rejects(
      a.agent.request(acp.methods.agent.session.load, { sessionId: "no-such-draft", cwd: ws, mcpServers: [] }),
      (e) => e.code === -32602 && /no builder session `no-such-draft`/.test(e.message),
    );
  } finally {
    await a.close();
  }
});

/** An OpenAI-compatible server on 127.0.0.1: the first request gets a question, later ones hang. */
async function modelServer() {
  const seen = [];
  const sockets = new Set();
  let closed = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push(JSON.parse(body));
      if (seen.length > 1) return; // never answers
      const turn = {
        reply: {
          action: "ask_question", phase: "basics", question: "What should the tutor be called?",
          options: [{ id: "mendel", label: "Mendel", description: null }],
          allow_free_text: true, phase_label: null,
        },
      };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({
        id: "chatcmpl-1", object: "chat.completion", created: 0, model: "test-model",
        choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(turn) }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => closed++);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const stop = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return { url: `http://127.0.0.1:${server.address().port}`, seen, closed: () => closed, stop };
}

test("session/cancel aborts a hanging model request and saves nothing; a second prompt meanwhile is refused", { timeout: TIMEOUT }, async () => {
  const ws = workspace();
  const model = await modelServer();
  const settings = path.join(ws, "forge-settings.json");
  fs.writeFileSync(settings, JSON.stringify({
    forge: { llm: { provider: "openai", baseUrl: model.url, model: "test-model", apiKeyEnv: "FORGE_ACP_TEST_KEY", timeoutSecs: 300 } },
  }));
  const a = new Agent({ args: ["--settings", settings], env: { FORGE_ACP_TEST_KEY: "sk-test" } });
  let sid;
  try {
    await a.initialize();
    sid = await a.newSession(ws);
    const first = await a.prompt(sid, "A chemistry tutor for high-school students");
    assert.match(first.text, /What should the tutor be called\?/);
    const hanging = a.prompt(sid, "Call it Mendel, patient and encouraging");
    while (model.seen.length < 2) await new Promise((r) => setTimeout(r, 20));
    // The whole conversation went to the model.
    const roles = model.seen[1].messages.map((m) => m.role);
    assert.deepEqual(roles, ["system", "user", "assistant", "user"]);
    await assert.rejects(
      a.prompt(sid, "hello?"),
      (e) => e.code === -32600 && /already running/.test(e.message),
    );
    await a.agent.notify(acp.methods.agent.session.cancel, { sessionId: sid });
    const r = await hanging;
    assert.equal(r.stopReason, "cancelled");
    // The HTTP request was dropped, not left to run.
    for (let i = 0; i < 100 && model.closed() === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(model.closed() >= 1, "the model connection stays open after the cancel");
  } finally {
    await a.close();
    model.stop();
  }
  // Nothing of the cancelled turn was saved: the draft replays only the first exchange.
  const b = new Agent();
  try {
    await b.initialize();
    await b.agent.request(acp.methods.agent.session.load, { sessionId: sid, cwd: ws, mcpServers: [] });
    const users = b.updates
      .filter((u) => u.update.sessionUpdate === "user_message_chunk")
      .map((u) => u.update.content.text);
    assert.deepEqual(users, ["A chemistry tutor for high-school students"]);
  } finally {
    await b.close();
  }
});

test("a write outside the workspace is refused and the draft kept", { timeout: TIMEOUT }, async () => {
  const ws = workspace();
  const outside = workspace();
  // `bots` leads out of the workspace.
  fs.symlinkSync(outside, path.join(ws, "bots"));
  const a = new Agent({ fsWrite: false });
  try {
    await a.initialize();
    const sid = await a.newSession(ws);
    await a.prompt(sid, "A patient chemistry tutor");
    await a.prompt(sid, "Mendel");
    await skipToReview(a, sid);
    await assert.rejects(a.prompt(sid, "/assemble"), (e) => e.code === -32602 && /outside/.test(e.message));
    assert.equal(a.permissions.length, 0, "nothing to allow: the plan was refused");
    assert.deepEqual(fs.readdirSync(outside), []);
    // The draft is there, ready: the next message says so.
    const r = await a.prompt(sid, "/preview");
    assert.match(r.text, /- \*\*Name:\*\* Mendel/);
    // Unknown sessions and prompts to them are clear errors.
    await assert.rejects(
      a.prompt("no-such-session", "hi"),
      (e) => e.code === -32602 && /unknown session/.test(e.message),
    );
    await assert.rejects(
      a.agent.request(acp.methods.agent.session.new, { cwd: "relative/path", mcpServers: [] }),
      (e) => e.code === -32602,
    );
  } finally {
    await a.close();
  }
});

test("slash commands: /skill builds a skill, /resume lists and continues drafts", { timeout: TIMEOUT }, async () => {
  const ws = workspace();
  const a = new Agent();
  try {
    await a.initialize();
    const sid = await a.newSession(ws);
    let r = await a.prompt(sid, "/resume");
    assert.match(r.text, /no drafts in this workspace/);
    r = await a.prompt(sid, "/frobnicate");
    assert.match(r.text, /`\/frobnicate` is not a command here/);
    r = await a.prompt(sid, "/bot A tutor for high-school chemistry");
    assert.match(r.text, /What should your bot be called\?/);
    // A second draft in the same chat; the first stays.
    r = await a.prompt(sid, "/skill Fetch a web page and summarize it");
    assert.match(r.text, /\*Basics · /);
    r = await a.prompt(sid, "page-digest");
    for (let i = 0; i < 10 && !r.text.includes("Does this look right?"); i++) r = await a.prompt(sid, "1");
    r = await a.prompt(sid, "/resume");
    assert.match(r.text, /1\. `[^`]+` · skill · review · Fetch a web page/);
    assert.match(r.text, /2\. `[^`]+` · bot · basics · A tutor for high-school chemistry/);
    r = await a.prompt(sid, "/assemble");
    const skill = path.join(ws, "skills/page-digest/SKILL.md");
    assert.ok(a.written.includes(skill), `${a.written}: ${r.text}`);
    assert.match(r.text, /Done: \*\*page-digest\*\* is written/);
    // Back to the bot draft, replayed, and on with it.
    const from = a.updates.length;
    r = await a.prompt(sid, "/resume 1");
    const replayed = a.updates
      .slice(from)
      .filter((u) => u.update.sessionUpdate === "user_message_chunk")
      .map((u) => u.update.content.text);
    assert.deepEqual(replayed, ["A tutor for high-school chemistry"]);
    assert.match(r.text, /What should your bot be called\?/);
    r = await a.prompt(sid, "Mendel");
    assert.match(r.text, /what does Mendel do/);
  } finally {
    await a.close();
  }
});

test("a malformed message gets a parse error and the agent goes on", { timeout: TIMEOUT }, async () => {
  const child = spawn(BIN, ["acp"], { stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, FORGE_LS_LOG: "error" } });
  const lines = [];
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  const wait = async (n) => {
    for (let i = 0; i < 250 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(lines.length >= n, `no reply: ${JSON.stringify(lines)}`);
  };
  try {
    child.stdin.write("{this is not json\n");
    await wait(1);
    assert.equal(lines[0].error.code, -32700);
    child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 1 } }) + "\n");
    await wait(2);
    assert.equal(lines[1].id, 1);
    assert.equal(lines[1].result.protocolVersion, 1);
  } finally {
    child.kill();
  }
});
