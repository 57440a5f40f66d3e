// Reads a verifier log: which instruction failed, which source line it came from (from the
// "; <source> @ prog.c:LINE" line info clang -g leaves in it), and what the rejection
// usually means in plain words.
const INSN = /^\s*(\d+): \([0-9a-f]{2}\)/;
const SOURCE = /^; (.*?)(?: @ ([^:\s]+):(\d+))?$/;
const NOISE = /^(processed \d+ insns|verification time|libbpf: |-- (BEGIN|END) PROG LOAD LOG|stack depth|\s*$|Validating |func#|last_idx|regs=|parent didn't have regs)/;

export function analyseVerifierLog(log, patterns) {
  const lines = String(log || "").split("\n");
  const compiled = patterns.map(([key, source]) => [key, new RegExp(source)]);
  let errorIndex = lines.findIndex((line) => compiled.some(([, re]) => re.test(line)));
  if (errorIndex < 0) errorIndex = lastMeaningfulLine(lines);
  const insnIndex = findBackwards(lines, errorIndex, (line) => INSN.test(line));
  const sourceIndex = findBackwards(lines, insnIndex < 0 ? errorIndex : insnIndex, (line) => SOURCE.test(line) && line.startsWith("; "));
  let source = null;
  if (sourceIndex >= 0) {
    const [, text, file, line] = lines[sourceIndex].match(SOURCE);
    source = { text, file: file || null, line: line ? Number(line) : null };
  }
  const explanations = [];
  for (const line of lines) {
    for (const [key, re] of compiled) {
      if (re.test(line) && !explanations.includes(key)) explanations.push(key);
    }
  }
  return { lines, errorIndex, insnIndex, sourceIndex, source, explanations };
}

function lastMeaningfulLine(lines) {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (!NOISE.test(lines[i])) return i;
  }
  return -1;
}

function findBackwards(lines, from, test) {
  for (let i = Math.min(from, lines.length - 1); i >= 0; i -= 1) {
    if (test(lines[i])) return i;
  }
  return -1;
}
