/** A product as the view shows it: its category's name and its rating joined in. */
export interface ProductView {
  readonly sku: string;
  readonly name: string;
  readonly priceMinor: number;
  readonly category: { readonly id: string; readonly name: string | null };
  readonly rating: { readonly average: number | null; readonly count: number };
  /** For the view's category index: which rows a category rename touches. */
  readonly categoryId: string;
}

/** The view of a product from its sources. Deterministic, so recomputing it any number of times is safe. */
export function productView(
  product: { sku: string; name: string; priceMinor: number; categoryId: string },
  category: { name: string } | undefined,
  ratings: readonly number[],
): ProductView {
  const sum = ratings.reduce((a, b) => a + b, 0);
  return {
    sku: product.sku,
    name: product.name,
    priceMinor: product.priceMinor,
    categoryId: product.categoryId,
    category: { id: product.categoryId, name: category?.name ?? null },
    rating: {
      average: ratings.length === 0 ? null : Math.round((sum / ratings.length) * 100) / 100,
      count: ratings.length,
    },
  };
}
