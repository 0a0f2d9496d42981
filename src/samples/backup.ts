import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { defineActivity, defineOrchestration } from "../index.js";

/** Input of the backup orchestration. */
export interface BackupInput {
  /** Directory whose files are copied. */
  directory: string;
  /** Blob container that receives the copies. */
  container: string;
}

/** Result of the backup orchestration. */
export interface BackupResult {
  files: number;
  bytes: number;
}

/** One file to copy. */
export interface CopyRequest {
  root: string;
  path: string;
  container: string;
}

/** Lists every file under a directory (recursively), relative paths sorted. */
export const listFiles = defineActivity("ListFiles", async (directory: string) => {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
});

let blobService: BlobServiceClient | undefined;

/** Tells the copy activity which storage account receives the backup. Call once before starting the worker. */
export function configureBackupStorage(connectionString: string): void {
  blobService = BlobServiceClient.fromConnectionString(connectionString);
}

/** Copies one file into a blob container (created on first use) and returns its size in bytes. */
export const copyFileToBlob = defineActivity("CopyFileToBlob", async (request: CopyRequest) => {
  if (blobService === undefined) throw new Error("configureBackupStorage(connectionString) was not called");
  const container = blobService.getContainerClient(request.container);
  await container.createIfNotExists();
  const source = join(request.root, request.path);
  const { size } = await stat(source);
  await container.getBlockBlobClient(request.path).uploadFile(source);
  return size;
});

/** Fan-out/fan-in: lists the files, copies each in parallel, and sums the bytes copied. */
export const backup = defineOrchestration("Backup", async (ctx, input: BackupInput): Promise<BackupResult> => {
  const files = await ctx.callActivity(listFiles, input.directory);
  ctx.setCustomStatus({ files: files.length, phase: "copying" });
  const sizes = await Promise.all(files.map((path) => ctx.callActivity(copyFileToBlob, { root: input.directory, path, container: input.container })));
  return { files: files.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
});
