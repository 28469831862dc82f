/** A store as a driver returns it. */
export interface StoreInfo {
  readonly id: string;
  readonly name: string | null;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/** One page of the store list. */
export interface StoreListPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly count: number;
  readonly desc: boolean;
  readonly items: readonly StoreInfo[];
}

/** One page of keys; `undefined` marks a field the target left out (not the same as null). */
export interface KeysPage {
  readonly items: readonly { readonly key: string; readonly size: number }[];
  readonly count: number;
  readonly limit: number;
  readonly isTruncated: boolean;
  readonly exclusiveStartKey: string | null | undefined;
  readonly nextExclusiveStartKey: string | null | undefined;
}

/** A record's value and media type. */
export interface RecordValue {
  readonly value: Buffer;
  readonly contentType: string;
}

/** Query of a store-list page. */
export interface StoreListQuery {
  readonly offset?: number;
  readonly limit?: number;
  readonly desc?: boolean;
  readonly unnamed?: boolean;
}

/** Query of a key page. */
export interface KeysQuery {
  readonly limit?: number;
  readonly exclusiveStartKey?: string;
  readonly prefix?: string;
}

/**
 * The operations a key-value store offers, as one layer promises them: the HTTP driver over the
 * wire (a 404 becomes `undefined`), the apify-client driver through the real client. Suites
 * written against this run through every driver.
 */
export interface KvsDriver {
  readonly name: 'http' | 'apify-client';
  listStores(query?: StoreListQuery): Promise<StoreListPage>;
  /** Get-or-create by name, or create an unnamed store. */
  getOrCreateStore(name?: string): Promise<StoreInfo>;
  getStore(storeId: string): Promise<StoreInfo | undefined>;
  updateStore(
    storeId: string,
    fields: { readonly name?: string | null; readonly generalAccess?: string },
  ): Promise<StoreInfo>;
  deleteStore(storeId: string): Promise<void>;
  listKeys(storeId: string, query?: KeysQuery): Promise<KeysPage>;
  getRecord(storeId: string, key: string): Promise<RecordValue | undefined>;
  recordExists(storeId: string, key: string): Promise<boolean>;
  setRecord(storeId: string, key: string, value: Buffer, contentType: string): Promise<void>;
  deleteRecord(storeId: string, key: string): Promise<void>;
}
