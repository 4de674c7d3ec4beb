/** The train panel's rank functions (names start with "train", so that demo-ranks.ts merges them without a clash). */
export {};
