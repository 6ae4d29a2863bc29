//! The page's own words (buttons, headings, column heads, status lines) in
//! English and Chinese; the figures, charts and input names come in the
//! report's words ([`crate::report::words`]). `{n}`-style holes are filled
//! by the page.

use crate::report::words::Lang;
use std::collections::BTreeMap;

/// `(key, English, Chinese)`.
const WORDS: &[(&str, &str, &str)] = &[
    ("open", "Open", "打开"),
    ("another", "another scenario…", "其他情景…"),
    ("reset_all", "Reset all", "全部还原"),
    ("download", "Download", "下载"),
    ("save", "Save as…", "另存为…"),
    ("reset", "reset", "还原"),
    ("back_to", "back to {v}", "还原为 {v}"),
    ("low_end", "low end", "下限"),
    ("high_end", "high end", "上限"),
    ("from_month", "from month {m}", "第 {m} 个月起"),
    ("to", "to", "至"),
    ("stress_label", "Stress (one at a time): ", "压力测试（一次一项）："),
    ("none", "none", "无"),
    ("meta", "seed {seed} · {runs} runs · {months} months", "种子 {seed} · {runs} 次模拟 · {months} 个月"),
    ("builtin", "the built-in example", "内置示例"),
    ("simulating", "Simulating…", "模拟中…"),
    ("quick_pending", "Simulating the first {n} runs…", "正在模拟前 {n} 次…"),
    ("full_pending", "Refining with all {n} runs…", "正在用全部 {n} 次模拟细化…"),
    ("done", "{n} runs in {s} s", "{n} 次模拟，用时 {s} 秒"),
    ("first_look", " (first look)", "（初步结果）"),
    ("changed", " · changed inputs: {k}", " · 已修改输入：{k} 项"),
    ("stress_on", " · stress: {name}", " · 压力测试：{name}"),
    ("invalid", "The edited plan is not valid; nothing was simulated.", "修改后的计划无效，未进行模拟。"),
    ("key_figures", "Key figures", "关键数字"),
    ("figure", "Figure", "指标"),
    ("files_plan", "File's plan", "文件中的计划"),
    ("edited_plan", "Edited plan", "修改后的计划"),
    ("change", "Change ± SE", "变化 ± 标准误"),
    (
        "paired_note",
        "Both plans run on the same seed and the same futures (common random numbers): a change's ± is the standard error of the paired difference. A change more than 2 standard errors from none is green when it is good news and red when it is bad.",
        "两个计划使用相同的种子和相同的模拟情景（共同随机数）：变化的 ± 是配对差值的标准误。与零相差超过 2 个标准误的变化，利好显示为绿色，不利显示为红色。",
    ),
    ("clear_change", "{v}: more than 2 standard errors from no change", "{v}：与无变化相差超过 2 个标准误"),
    ("better", "better", "更好"),
    ("worse", "worse", "更差"),
    ("drivers", "What moves median final cash", "期末现金中位数的驱动因素"),
    (
        "drivers_note",
        "Each input held at its p10 and at its p90, the others as drawn, on the first {n} runs of the edited plan (without a stress); ranks compared with the file's plan on the same runs.",
        "每个输入分别固定在其 P10 与 P90，其余输入照常抽取；基于修改后计划的前 {n} 次模拟（不含压力测试），排名与文件中的计划在相同模拟上比较。",
    ),
    ("input", "Input", "输入"),
    ("swing", "p10 → p90 swing ± SE", "P10 → P90 摆幅 ± 标准误"),
    ("rank", "Rank", "排名"),
    ("file_rank", "In the file's plan", "在文件计划中"),
    ("new", "new", "新"),
    ("up_from", "↑ from {r}", "↑ 原第 {r}"),
    ("down_from", "↓ from {r}", "↓ 原第 {r}"),
    ("checks", "The plan's checks", "计划的检查"),
    ("check", "Check", "检查"),
    ("rule", "Rule", "规则"),
    ("value", "Value", "数值"),
    ("verdict", "Verdict", "结论"),
    ("pass", "pass", "通过"),
    ("fail", "fail", "未通过"),
    ("undecided", "undecided", "未定"),
    ("save_prompt", "Save the edited plan as (a .toml file in the scenario's folder):", "将修改后的计划另存为（情景文件夹中的 .toml 文件）："),
    ("overwrite", "{name} exists. Overwrite it?", "{name} 已存在。是否覆盖？"),
    ("saved", "Saved {path}", "已保存 {path}"),
];

/// The page's words in `lang`, by key.
pub fn page_words(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    WORDS.iter().map(|(k, en, zh)| (*k, lang.pick(en, zh))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_has_both_languages_and_the_same_holes() {
        let holes = |s: &str| s.match_indices('{').map(|(i, _)| s[i..].split('}').next().unwrap_or("").to_string()).collect::<Vec<_>>();
        let mut keys = std::collections::BTreeSet::new();
        for (k, en, zh) in WORDS {
            assert!(keys.insert(k), "{k} twice");
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
            assert_eq!(holes(en), holes(zh), "{k}");
        }
    }

    #[test]
    fn the_page_asks_only_for_words_that_exist() {
        let words = page_words(Lang::En);
        let page = include_str!("page.html");
        for (at, _) in page.match_indices("T.") {
            let key: String = page[at + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            assert!(words.contains_key(key.as_str()), "page.html uses T.{key}, which serve/words.rs does not have");
        }
        let mut used = 0;
        for (at, _) in page.match_indices("t(\"") {
            // `t("key"`, not `post("/api/run"`.
            if page[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let key: String = page[at + 3..].chars().take_while(|c| *c != '"').collect();
            assert!(words.contains_key(key.as_str()), "page.html uses t(\"{key}\"), which serve/words.rs does not have");
            used += 1;
        }
        for (at, _) in page.match_indices("data-t=\"") {
            let key: String = page[at + 8..].chars().take_while(|c| *c != '"').collect();
            assert!(words.contains_key(key.as_str()), "page.html has data-t=\"{key}\", which serve/words.rs does not have");
            used += 1;
        }
        assert!(used > 20, "the page's words were not found ({used})");
    }
}
