// FNV-1a (32-bit) over name octets, 0, value octets, 0 for every field in order: a cheap
// fingerprint that every worker (JS and C) computes the same way on its decoded output.
export class FieldSum {
  constructor() { this.h = 0x811c9dc5; this.fields = 0; this.octets = 0; }

  #str(s) {
    let h = this.h;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ (s.charCodeAt(i) & 0xff), 0x01000193);
    this.h = Math.imul(h ^ 0, 0x01000193); // the 0 separator
  }

  /** name and value are latin1 strings (one octet per char). */
  add(name, value) {
    this.#str(name);
    this.#str(value);
    this.fields++;
    this.octets += name.length + value.length;
  }

  result() {
    return { fields: this.fields, octets: this.octets, checksum: (this.h >>> 0).toString(16).padStart(8, '0') };
  }
}
