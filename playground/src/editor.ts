// The code editor: CodeMirror 6 with JavaScript/TypeScript highlighting, a mark on
// the line an error points at, and one on the line of the diagram's selected step.
import { EditorState, Compartment, StateEffect, StateField, type Extension } from "@codemirror/state";
import { EditorView, Decoration, type DecorationSet, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from "@codemirror/language";
import { javascript } from "@codemirror/lang-javascript";
import type { Lang } from "./source.js";

/** A line decoration with class `cls`, set by its effect (a 1-based line, or null to clear) and cleared by the next edit. */
function lineMark(cls: string) {
  const set = StateEffect.define<number | null>();
  const field = StateField.define<DecorationSet>({
    create: () => Decoration.none,
    update(deco, tr) {
      if (tr.docChanged) deco = Decoration.none;
      for (const e of tr.effects) {
        if (!e.is(set)) continue;
        if (e.value === null || e.value < 1 || e.value > tr.state.doc.lines) deco = Decoration.none;
        else deco = Decoration.set([Decoration.line({ class: cls }).range(tr.state.doc.line(e.value).from)]);
      }
      return deco;
    },
    provide: (f) => EditorView.decorations.from(f),
  });
  return { set, field };
}

const errorLine = lineMark("cm-error-line");
const stepLine = lineMark("cm-step-line");

export interface Editor {
  view: EditorView;
  getCode(): string;
  setCode(code: string): void;
  setLang(lang: Lang): void;
  /** Marks `line` (1-based) and scrolls to it; null clears the mark. */
  markLine(line: number | null): void;
  /** Marks the line of the diagram's selected step (1-based) and scrolls to it; null clears the mark. */
  markStep(line: number | null): void;
}

export function createEditor(parent: HTMLElement, onChange: () => void): Editor {
  const language = new Compartment();
  const extensions: Extension[] = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    language.of(javascript()),
    errorLine.field,
    stepLine.field,
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange();
    }),
  ];
  const view = new EditorView({ state: EditorState.create({ doc: "", extensions }), parent });
  const mark = (set: typeof errorLine.set, line: number | null) => {
    const effects: StateEffect<unknown>[] = [set.of(line)];
    if (line !== null && line >= 1 && line <= view.state.doc.lines) effects.push(EditorView.scrollIntoView(view.state.doc.line(line).from, { y: "center" }));
    view.dispatch({ effects });
  };
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, effects: [errorLine.set.of(null), stepLine.set.of(null)] });
    },
    setLang(lang) {
      view.dispatch({ effects: language.reconfigure(javascript({ typescript: lang === "ts" })) });
    },
    markLine: (line) => mark(errorLine.set, line),
    markStep: (line) => mark(stepLine.set, line),
  };
}
