import type { TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { InvalidArgumentError } from "../core/errors.js";

/** How to reach the storage account: a connection string, or an account name and an Entra ID credential. */
export type StorageConnectionOptions =
  | {
      /** A storage connection string (account key, SAS, or Azurite's). */
      connectionString: string;
      accountName?: undefined;
      credential?: undefined;
    }
  | {
      connectionString?: undefined;
      /** The storage account name; endpoints are `https://{accountName}.{service}.{endpointSuffix}`. */
      accountName: string;
      /** A token credential, e.g. `new DefaultAzureCredential()` from `@azure/identity`. */
      credential: TokenCredential;
      /**
       * DNS suffix of the storage endpoints.
       * @default "core.windows.net"
       */
      endpointSuffix?: string;
    };

/** The three service clients one task hub needs. */
export interface StorageClients {
  queue(name: string): QueueClient;
  table(name: string): TableClient;
  container(name: string): ContainerClient;
}

const QUEUE_AND_BLOB_RETRY = { maxTries: 4, retryDelayInMs: 100, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 30_000 };
const TABLE_RETRY = { maxRetries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 2_000 };

/** Validates connection options and creates the storage clients. */
export function createStorageClients(options: StorageConnectionOptions): StorageClients {
  if (typeof options.connectionString === "string") {
    const connectionString = options.connectionString;
    if (connectionString.trim() === "") throw new InvalidArgumentError("connectionString", "must not be empty");
    const insecure = /UseDevelopmentStorage=true/i.test(connectionString) || /Endpoint=http:\/\//i.test(connectionString);
    let queues: QueueServiceClient;
    let blobs: BlobServiceClient;
    try {
      queues = QueueServiceClient.fromConnectionString(connectionString, { retryOptions: QUEUE_AND_BLOB_RETRY });
      blobs = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: QUEUE_AND_BLOB_RETRY });
    } catch (error) {
      throw new InvalidArgumentError("connectionString", `is not a valid storage connection string (${(error as Error).message.replace(/AccountKey=[^;]*/gi, "AccountKey=***")})`);
    }
    return {
      queue: (name) => queues.getQueueClient(name),
      container: (name) => blobs.getContainerClient(name),
      table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure, retryOptions: TABLE_RETRY }),
    };
  }
  if (typeof options.accountName !== "string" || !/^[a-z0-9]{3,24}$/.test(options.accountName)) {
    throw new InvalidArgumentError("accountName", "must be 3-24 lower-case letters and digits (or pass connectionString)");
  }
  if (typeof options.credential?.getToken !== "function") {
    throw new InvalidArgumentError("credential", "must be a TokenCredential (an object with getToken), e.g. DefaultAzureCredential");
  }
  const suffix = options.endpointSuffix ?? "core.windows.net";
  const url = (service: string): string => `https://${options.accountName}.${service}.${suffix}`;
  const queues = new QueueServiceClient(url("queue"), options.credential, { retryOptions: QUEUE_AND_BLOB_RETRY });
  const blobs = new BlobServiceClient(url("blob"), options.credential, { retryOptions: QUEUE_AND_BLOB_RETRY });
  const credential = options.credential;
  return {
    queue: (name) => queues.getQueueClient(name),
    container: (name) => blobs.getContainerClient(name),
    table: (name) => new TableClient(url("table"), name, credential, { retryOptions: TABLE_RETRY }),
  };
}
