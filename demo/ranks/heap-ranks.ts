/** The heap panel's rank functions (names start with "heap", so that demo-ranks.ts merges them without a clash). */
export {};
