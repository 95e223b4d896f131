import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes a (possibly very large) text file in pieces, atomically: text is buffered, written to a temporary file beside the
 * target, flushed and renamed over the target by {@link commit}. Used for files too big for one string.
 */
export class AtomicTextWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  private parts: string[] = [];
  private size = 0;

  constructor(readonly file: string, private readonly bufferChars = 4 << 20) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
    this.fd = fs.openSync(this.tmp, "w");
  }

  /** Appends text (buffered). */
  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.bufferChars) this.flush();
  }

  private flush(): void {
    if (this.parts.length) fs.writeSync(this.fd!, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }

  /** Flushes, closes and renames the temporary file over the target. */
  commit(): void {
    this.flush();
    fs.fsyncSync(this.fd!);
    fs.closeSync(this.fd!);
    this.fd = undefined;
    fs.renameSync(this.tmp, this.file);
  }

  /** Closes and removes the temporary file if {@link commit} was not reached. */
  abortIfOpen(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.tmp, { force: true });
  }
}
