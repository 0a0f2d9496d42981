#!/usr/bin/env node
// Runs a local Azurite for development on the default ports (or those given), with the flags Taskhub needs,
// and prints the connection string to use as TASKHUB_STORAGE_CONNECTION_STRING.
//   npm run azurite -- [--blobPort 10000 --queuePort 10001 --tablePort 10002] [--location .taskhub/azurite]
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    blobPort: { type: "string", default: "10000" },
    queuePort: { type: "string", default: "10001" },
    tablePort: { type: "string", default: "10002" },
    location: { type: "string", default: ".taskhub/azurite" },
  },
});
const entry = createRequire(import.meta.url).resolve("azurite/dist/src/azurite.js");
const args = [entry, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--location", values.location,
  "--blobPort", values.blobPort, "--queuePort", values.queuePort, "--tablePort", values.tablePort];
const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
console.log(`TASKHUB_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};` +
  `BlobEndpoint=http://127.0.0.1:${values.blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${values.queuePort}/devstoreaccount1;` +
  `TableEndpoint=http://127.0.0.1:${values.tablePort}/devstoreaccount1"`);
const child = spawn(process.execPath, args, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
