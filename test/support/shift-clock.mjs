// Preloaded into the CLI (node --import) to run it on a clock that is off by
// NATS_AUDIT_TEST_CLOCK_SHIFT_MS, so a clock-skew test can use real servers
// with correct clocks: to the auditor they then look skewed the other way.
const shift = Number(process.env.NATS_AUDIT_TEST_CLOCK_SHIFT_MS ?? 0);
const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(realNow() + shift);
    else super(...args);
  }
  static now() {
    return realNow() + shift;
  }
}
globalThis.Date = ShiftedDate;
