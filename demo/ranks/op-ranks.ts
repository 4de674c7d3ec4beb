/** The op panel's rank functions (names start with "op", so that demo-ranks.ts merges them without a clash). */
export {};
