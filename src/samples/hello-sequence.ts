import { defineActivity, defineOrchestration } from "../index.js";

/** Greets one city. */
export const sayHello = defineActivity("SayHello", async (name: string) => `Hello ${name}!`);

/** Function chaining: greets each city in turn and returns the greetings in order. */
export const helloSequence = defineOrchestration("HelloSequence", async (ctx, cities: string[]) => {
  const greetings: string[] = [];
  for (const city of cities) greetings.push(await ctx.callActivity(sayHello, city));
  return greetings;
});
