/** The particle panel's rank functions (names start with "particle", so that demo-ranks.ts merges them without a clash). */
export {};
