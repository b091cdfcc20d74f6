/**
 * The step after validation that reads the zstd dictionary files the stores list: parsing stays free of file
 * reads, and a file is read only once the whole configuration is known to be valid.
 *
 * @module
 */
import type { ZstdDictionary } from "../codec/zstd-dictionary.js";
import { readZstdDictionaryFile } from "../codec/zstd-dictionary-file.js";
import { type ConfigIssue, formatConfigPath } from "./config-error.js";
import type { Config, ParsedConfig, ParsedStoreConfig, StoreConfig } from "./config-schema.js";

/** A configuration with its dictionaries read, or every problem found reading them (never an empty list). */
export type DictionaryReadResult =
  | { readonly config: Config; readonly issues?: undefined }
  | { readonly config?: undefined; readonly issues: readonly ConfigIssue[] };

/**
 * Reads every store's `zstdDictionaries` files and returns `parsed` with the dictionaries in place of the paths,
 * deeply frozen. Each problem is reported at the entry that names the file (`stores.web.zstdDictionaries[1]`): a
 * file that cannot be read or is no zstd dictionary, and an entry whose dictionary an earlier entry already lists
 * (records name their dictionary by id, so two entries with one id would make reads ambiguous).
 */
export function readDictionaryFiles(parsed: ParsedConfig): DictionaryReadResult {
  const issues: ConfigIssue[] = [];
  const stores: Record<string, StoreConfig> = {};
  for (const [name, store] of Object.entries(parsed.stores)) {
    stores[name] = Object.freeze({ ...store, zstdDictionaries: readStoreDictionaries(store, issues) });
  }
  if (issues.length > 0) return { issues };
  return { config: Object.freeze({ ...parsed, stores: Object.freeze(stores) }) };
}

function readStoreDictionaries(store: ParsedStoreConfig, issues: ConfigIssue[]): readonly ZstdDictionary[] {
  const at = (index: number) => formatConfigPath(["stores", store.name, "zstdDictionaries", index]);
  const read = store.zstdDictionaries.map((path, index) => {
    const dictionary = readZstdDictionaryFile(path);
    if (typeof dictionary !== "string") return dictionary;
    issues.push({ path: at(index), message: dictionary });
    return undefined;
  });
  read.forEach((dictionary, index) => {
    if (dictionary === undefined) return;
    const first = read.findIndex((other) => other?.id === dictionary.id);
    if (first < index) {
      issues.push({
        path: at(index),
        message: `is the same dictionary as entry ${first} (id ${dictionary.hexId}); list each dictionary once`,
      });
    }
  });
  // Complete when no issue was found: only then is the result used.
  return Object.freeze(read.filter((dictionary) => dictionary !== undefined));
}
