/** Placeholder: the lake helpers land here. */
export {};
