/** One page of a list the admin side answers: how many match in all, and which slice this is. */
export interface Page<T> {
  total: number;
  count: number;
  limit: number;
  offset: number;
  results: T[];
}
