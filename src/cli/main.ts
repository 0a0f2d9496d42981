#!/usr/bin/env node
// The `taskhub` command: inspect and control instances of a task hub from a shell. Data goes to stdout as JSON,
// errors to stderr; exit codes 0 (ok), 1 (operation failed), 2 (usage error).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ScaleMonitor, TaskHubClient, TaskHubError, type RuntimeStatus } from "../index.js";

const USAGE = `Usage: taskhub <command> [arguments] [--task-hub NAME] [--connection STRING]

Commands:
  start <orchestration> [--input JSON|@file] [--id ID]   start an instance, print its id
  status <id> [--history]                                print the status (and history) as JSON
  wait <id> [--timeout MS]                               wait for completion, print the final status
  raise <id> <event> [--data JSON|@file]                 raise an event
  terminate <id> [--reason TEXT]                         terminate an instance
  suspend <id> [--reason TEXT] | resume <id> [--reason TEXT]
  purge <id>                                             delete a finished instance's data
  list [--status S[,S]] [--prefix P] [--name N] [--limit N]   list instances (JSON lines)
  scale [--workers N]                                    queue metrics and a scale recommendation

The connection string comes from --connection or TASKHUB_STORAGE_CONNECTION_STRING; the task hub from
--task-hub or TASKHUB_TASK_HUB.`;

class UsageError extends Error {}

function json(text: string | undefined, field: string): unknown {
  if (text === undefined) return undefined;
  const source = text.startsWith("@") ? readFileSync(text.slice(1), "utf8") : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new UsageError(`--${field} is not valid JSON: ${(error as Error).message}`);
  }
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "task-hub": { type: "string" },
      connection: { type: "string" },
      input: { type: "string" },
      data: { type: "string" },
      id: { type: "string" },
      reason: { type: "string" },
      history: { type: "boolean" },
      timeout: { type: "string" },
      status: { type: "string" },
      prefix: { type: "string" },
      name: { type: "string" },
      limit: { type: "string" },
      workers: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, first, second] = positionals;
  if (values.help === true || command === undefined) {
    console.log(USAGE);
    return;
  }
  const connectionString = values.connection ?? process.env.TASKHUB_STORAGE_CONNECTION_STRING;
  const taskHub = values["task-hub"] ?? process.env.TASKHUB_TASK_HUB;
  if (connectionString === undefined || connectionString === "") throw new UsageError("no connection: pass --connection or set TASKHUB_STORAGE_CONNECTION_STRING");
  if (taskHub === undefined || taskHub === "") throw new UsageError("no task hub: pass --task-hub or set TASKHUB_TASK_HUB");
  const client = new TaskHubClient({ connectionString, taskHub });
  const need = (value: string | undefined, what: string): string => {
    if (value === undefined) throw new UsageError(`${command} needs ${what}`);
    return value;
  };
  const print = (value: unknown): void => console.log(JSON.stringify(value, null, 2));
  switch (command) {
    case "start":
      print({ instanceId: await client.startOrchestration(need(first, "an orchestration name"), { input: json(values.input, "input"), ...(values.id === undefined ? {} : { instanceId: values.id }) }) });
      return;
    case "status": {
      const status = await client.getStatus(need(first, "an instance id"), { includeHistory: values.history === true });
      if (status === undefined) throw new TaskHubError("TASKHUB_INSTANCE_NOT_FOUND", `no instance "${first}"`);
      print(status);
      return;
    }
    case "wait":
      print(await client.waitForCompletion(need(first, "an instance id"), { timeoutMs: Number(values.timeout ?? 60_000) }));
      return;
    case "raise":
      await client.raiseEvent(need(first, "an instance id"), need(second, "an event name"), json(values.data, "data"));
      return;
    case "terminate":
      await client.terminate(need(first, "an instance id"), values.reason);
      return;
    case "suspend":
      await client.suspend(need(first, "an instance id"), values.reason);
      return;
    case "resume":
      await client.resume(need(first, "an instance id"), values.reason);
      return;
    case "purge":
      print({ purged: await client.purge(need(first, "an instance id")) });
      return;
    case "list": {
      const limit = values.limit === undefined ? Infinity : Number(values.limit);
      let count = 0;
      const filter = {
        ...(values.status === undefined ? {} : { runtimeStatus: values.status.split(",") as RuntimeStatus[] }),
        ...(values.prefix === undefined ? {} : { instanceIdPrefix: values.prefix }),
        ...(values.name === undefined ? {} : { name: values.name }),
      };
      for await (const status of client.list(filter)) {
        if (count++ >= limit) break;
        console.log(JSON.stringify(status));
      }
      return;
    }
    case "scale": {
      const workers = Number(values.workers ?? 1);
      if (!Number.isInteger(workers) || workers < 0) throw new UsageError("--workers must be an integer ≥ 0");
      print(await new ScaleMonitor({ connectionString, taskHub }).recommend(workers));
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`taskhub: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`taskhub: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
