/** Defaults and bounds of the Memory API's `topK`, shared with the Worker's REST API. */
export const DEFAULT_SEARCH_TOP_K = 10
export const DEFAULT_GET_ALL_TOP_K = 100
export const MAX_TOP_K = 10_000
