/** Settings for {@link PagedAsyncIterableIterator.byPage}. */
export interface PageSettings {
  /** Resume after the page that returned this token. */
  continuationToken?: string;
  /** Largest number of items per page (the service may return fewer, even none, with a token). */
  maxPageSize?: number;
}

/** An async iterator over items that can also iterate page by page, as the Azure SDKs do. */
export interface PagedAsyncIterableIterator<TItem, TPage> extends AsyncIterableIterator<TItem> {
  /** Iterates pages; each page carries the `continuationToken` for the next one. */
  byPage(settings?: PageSettings): AsyncIterableIterator<TPage>;
}

/** Builds a {@link PagedAsyncIterableIterator} from a page source. */
export function pagedIterator<TItem, TPage extends { items: TItem[] }>(
  pages: (settings: PageSettings) => AsyncGenerator<TPage>,
): PagedAsyncIterableIterator<TItem, TPage> {
  async function* items(): AsyncGenerator<TItem> {
    for await (const page of pages({})) yield* page.items;
  }
  const iterator = items();
  return {
    next: () => iterator.next(),
    [Symbol.asyncIterator]() {
      return this;
    },
    byPage: (settings: PageSettings = {}) => pages(settings),
  };
}
