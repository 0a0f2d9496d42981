/** Status code of an Azure SDK `RestError`, or `undefined` for other errors. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}

/** 409 Conflict: the entity or resource already exists. */
export const isConflict = (error: unknown): boolean => statusOf(error) === 409;

/** 412 Precondition Failed: an eTag no longer matches. */
export const isPreconditionFailed = (error: unknown): boolean => statusOf(error) === 412;

/** 404 Not Found. */
export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

/** Someone else changed the instance first (409 on create, 412 on update). */
export const isConcurrencyConflict = (error: unknown): boolean => isConflict(error) || isPreconditionFailed(error);

/** A message whose pop receipt is stale (it reappeared and was received again) or is gone. */
export const isMessageGone = (error: unknown): boolean => {
  const status = statusOf(error);
  return status === 404 || (status === 400 && (error as { code?: string }).code === "PopReceiptMismatch");
};
