/** A query used up its share of the worker: it stops rather than keep everyone else waiting. */
export class WorkExhausted extends Error {
  constructor() {
    super('search work budget used up');
  }
}

/**
 * How much work one query may do, counted in steps (dictionary terms visited, characters compared,
 * edit-distance cells filled) rather than in milliseconds, so a limit means the same on every machine
 * and in every test. Every expansion of a query word charges the same budget.
 */
export class WorkBudget {
  private left: number;

  constructor(readonly limit: number) {
    this.left = limit;
  }

  spend(steps: number): void {
    this.left -= steps;
    if (this.left < 0) throw new WorkExhausted();
  }

  get used(): number {
    return this.limit - Math.max(0, this.left);
  }
}
