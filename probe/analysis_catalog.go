package probe

import "strings"

// The one list of analysis component names and what provides them
// (AnalysisComponent.Provider). Built-in names are as Elasticsearch 6.0+
// and OpenSearch register them: the server ("core") or the analysis-common
// module, as the sources list them:
//   - server: https://github.com/elastic/elasticsearch/blob/7.17/server/src/main/java/org/elasticsearch/indices/analysis/AnalysisModule.java
//     and PreBuiltAnalyzers.java beside it;
//   - analysis-common: https://github.com/elastic/elasticsearch/blob/main/modules/analysis-common/src/main/java/org/elasticsearch/analysis/common/CommonAnalysisPlugin.java
//     and https://github.com/opensearch-project/OpenSearch/blob/main/modules/analysis-common/src/main/java/org/opensearch/analysis/common/CommonAnalysisModulePlugin.java
//     (which adds concatenate_graph and delimited_term_freq).
//
// Plugins, by the name GET /_nodes/plugins lists:
//   - Elastic's analysis plugins: https://www.elastic.co/guide/en/elasticsearch/plugins/current/analysis.html
//     (icu, kuromoji, nori, phonetic, smartcn, stempel, ukrainian; OpenSearch ships the same ones);
//   - analysis-ik: https://github.com/infinilabs/analysis-ik (ik_smart, ik_max_word);
//   - analysis-pinyin: https://github.com/infinilabs/analysis-pinyin;
//   - analysis-stconvert: https://github.com/infinilabs/analysis-stconvert.
//
// A name that is in none of the lists has Provider "": a rule cannot tell
// whether the destination has it.

// analysisProviders maps "kind/name" to the provider.
var analysisProviders = func() map[string]string {
	m := map[string]string{}
	add := func(provider, kind, names string) {
		for _, n := range strings.Fields(names) {
			m[kind+"/"+n] = provider
		}
	}
	// The server. Analyzer names here are also pre-built by name; "custom" is
	// the type of every custom analyzer and normalizer.
	add("core", "analyzer", "custom standard default keyword stop whitespace simple classic")
	add("core", "tokenizer", "standard")
	add("core", "filter", "stop standard shingle hunspell lowercase")
	add("core", "normalizer", "custom lowercase")

	const langs = "arabic armenian basque bengali brazilian bulgarian catalan chinese cjk czech danish dutch english estonian " +
		"finnish french galician german greek hindi hungarian indonesian irish italian latvian lithuanian norwegian persian " +
		"portuguese romanian russian sorani spanish swedish turkish thai"
	add("analysis-common", "analyzer", "fingerprint pattern snowball "+langs)
	add("analysis-common", "tokenizer", "simple_pattern simple_pattern_split thai nGram ngram edgeNGram edge_ngram char_group "+
		"classic letter lowercase path_hierarchy PathHierarchy pattern uax_url_email whitespace keyword")
	add("analysis-common", "filter", "apostrophe arabic_normalization arabic_stem asciifolding bengali_normalization brazilian_stem "+
		"cjk_bigram cjk_width classic common_grams condition decimal_digit delimited_payload delimited_payload_filter dictionary_decompounder "+
		"dutch_stem edge_ngram edgeNGram elision fingerprint flatten_graph french_stem german_normalization german_stem "+
		"hindi_normalization hyphenation_decompounder indic_normalization keep keep_types keyword_marker keyword_repeat kstem "+
		"length limit min_hash multiplexer ngram nGram pattern_capture pattern_replace persian_normalization persian_stem "+
		"porter_stem predicate_token_filter remove_duplicates reverse russian_stem scandinavian_folding scandinavian_normalization "+
		"serbian_normalization snowball sorani_normalization stemmer_override stemmer synonym synonym_graph trim truncate "+
		"type_as_payload unique uppercase word_delimiter_graph word_delimiter concatenate_graph delimited_term_freq")
	add("analysis-common", "char_filter", "html_strip pattern_replace mapping")

	add("analysis-icu", "analyzer", "icu_analyzer")
	add("analysis-icu", "tokenizer", "icu_tokenizer")
	add("analysis-icu", "filter", "icu_normalizer icu_folding icu_collation icu_transform")
	add("analysis-icu", "char_filter", "icu_normalizer")
	add("analysis-kuromoji", "analyzer", "kuromoji kuromoji_completion")
	add("analysis-kuromoji", "tokenizer", "kuromoji_tokenizer")
	add("analysis-kuromoji", "filter", "kuromoji_baseform kuromoji_part_of_speech kuromoji_readingform kuromoji_stemmer ja_stop kuromoji_number kuromoji_completion")
	add("analysis-kuromoji", "char_filter", "kuromoji_iteration_mark")
	add("analysis-nori", "analyzer", "nori")
	add("analysis-nori", "tokenizer", "nori_tokenizer")
	add("analysis-nori", "filter", "nori_part_of_speech nori_readingform nori_number")
	add("analysis-phonetic", "filter", "phonetic")
	add("analysis-smartcn", "analyzer", "smartcn")
	add("analysis-smartcn", "tokenizer", "smartcn_tokenizer smartcn_sentence")
	add("analysis-smartcn", "filter", "smartcn_word smartcn_stop")
	add("analysis-stempel", "analyzer", "polish")
	add("analysis-stempel", "filter", "polish_stem polish_stop")
	add("analysis-ukrainian", "analyzer", "ukrainian")
	add("analysis-ik", "analyzer", "ik_smart ik_max_word")
	add("analysis-ik", "tokenizer", "ik_smart ik_max_word")
	add("analysis-pinyin", "analyzer", "pinyin")
	add("analysis-pinyin", "tokenizer", "pinyin pinyin_first_letter")
	add("analysis-pinyin", "filter", "pinyin")
	add("analysis-stconvert", "analyzer", "stconvert")
	add("analysis-stconvert", "tokenizer", "stconvert")
	add("analysis-stconvert", "filter", "stconvert")
	add("analysis-stconvert", "char_filter", "stconvert")
	return m
}()

// analysisProvider returns what provides the component, "" when unknown.
func analysisProvider(kind, name string) string {
	return analysisProviders[kind+"/"+name]
}
