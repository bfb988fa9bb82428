#!/usr/bin/env python3
"""Renders chat templates the way transformers' apply_chat_template does, as the reference for deepalign's jinjava.

transformers compiles a chat template in jinja2's ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and
the loopcontrols extension, a tojson filter that keeps non-ASCII text, and the globals raise_exception and
strftime_now. The templates below are written for this test in the styles of the families deepalign supports (Llama
2 and 3, ChatML/Qwen, Mistral, Gemma, DeepSeek-R1), each leaning on Python-Jinja features real templates use.

Usage: jinja_reference.py OUT.json   (Debian: apt-get install python3-jinja2)
"""
import json
import sys

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class TemplateError(Exception):
    pass


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def render(template, messages, bos, eos, add_generation_prompt):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(messages=messages, bos_token=bos, eos_token=eos,
                                           add_generation_prompt=add_generation_prompt)


TEMPLATES = {
    # Llama-3 style: whitespace control on every tag, a default system block, trim filter, loop.first
    "llama3-style": (
        "{{- bos_token }}\n"
        "{%- if messages[0]['role'] == 'system' %}\n"
        "    {%- set system_message = messages[0]['content'] | trim %}\n"
        "    {%- set messages = messages[1:] %}\n"
        "{%- else %}\n"
        "    {%- set system_message = 'Knowledge cutoff: none.' %}\n"
        "{%- endif %}\n"
        "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + system_message + '<|eot_id|>' }}\n"
        "{%- for message in messages %}\n"
        "    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}\n"
        "{%- endfor %}\n"
        "{%- if add_generation_prompt %}\n"
        "    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
        "{%- endif %}\n"),
    # ChatML / Qwen style: indented block tags without '-' (lstrip_blocks and trim_blocks do the work),
    # attribute access on dicts, an undefined key tested for truth, 'not loop.first'
    "chatml-style": (
        "{% for message in messages %}\n"
        "    {% if loop.first and message.role != 'system' %}\n"
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "    {% endif %}\n"
        "    {% if message.role == 'user' or (message.role == 'system' and loop.first) "
        "or (message.role == 'assistant' and not message.tool_calls) %}\n"
        "<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n"
        "    {% endif %}\n"
        "{% endfor %}\n"
        "{% if add_generation_prompt %}\n"
        "<|im_start|>assistant\n"
        "{% endif %}\n"),
    # Mistral style: selectattr over roles, strict alternation with raise_exception, loop.last, 'is defined'
    "mistral-style": (
        "{%- if messages[0]['role'] == 'system' %}\n"
        "    {%- set system_message = messages[0]['content'] %}\n"
        "    {%- set loop_messages = messages[1:] %}\n"
        "{%- else %}\n"
        "    {%- set loop_messages = messages %}\n"
        "{%- endif %}\n"
        "{%- set user_messages = loop_messages | selectattr('role', 'equalto', 'user') | list %}\n"
        "{{- bos_token }}\n"
        "{%- for message in loop_messages %}\n"
        "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n"
        "        {{- raise_exception('After the optional system message, roles must alternate user/assistant') }}\n"
        "    {%- endif %}\n"
        "    {%- if message['role'] == 'user' %}\n"
        "        {%- if loop.last and system_message is defined %}\n"
        "            {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}\n"
        "        {%- else %}\n"
        "            {{- '[INST] ' + message['content'] + '[/INST]' }}\n"
        "        {%- endif %}\n"
        "    {%- else %}\n"
        "        {{- ' ' + message['content'] | trim + eos_token }}\n"
        "    {%- endif %}\n"
        "{%- endfor %}\n"
        "{{- '' if user_messages | length > 0 else raise_exception('no user message') }}\n"),
    # Gemma style: role renamed with a set inside the loop, system folded into the first user turn, string methods
    "gemma-style": (
        "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set first_user_prefix = messages[0]['content'].strip() + '\\n\\n' %}"
        "{% set loop_messages = messages[1:] %}{% else %}{% set first_user_prefix = '' %}{% set loop_messages = messages %}{% endif %}"
        "{% for message in loop_messages %}{% if message['role'] == 'assistant' %}{% set role = 'model' %}"
        "{% else %}{% set role = message['role'] %}{% endif %}"
        "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') + message['content'] | trim + '<end_of_turn>\\n' }}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"),
    # DeepSeek-R1 style: namespace state across iterations, split('</think>')[-1], not-is-defined precedence,
    # a reversed walk with [::-1], loop controls
    "deepseek-style": (
        "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
        "{% set ns = namespace(system_prompt='', is_first=true, last_user=-1) %}"
        "{% for message in messages %}{% if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{% endif %}{% endfor %}"
        "{% for message in messages[::-1] %}{% if message['role'] == 'user' %}{% set ns.last_user = messages|length - 1 - loop.index0 %}{% break %}{% endif %}{% endfor %}"
        "{{ bos_token }}{{ ns.system_prompt }}"
        "{% for message in messages %}{% if message['role'] == 'system' %}{% continue %}{% endif %}"
        "{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}{% set ns.is_first = false %}{% endif %}"
        "{% if message['role'] == 'assistant' %}{% set content = message['content'] %}"
        "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
        "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{% endif %}{% endfor %}"
        "{{ '<!--last user ' ~ ns.last_user ~ '-->' }}"
        "{% if add_generation_prompt and not ns.is_first %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}"),
    # tojson and friends: what tool-calling branches print (here over the messages themselves)
    "tojson-style": (
        "{%- for message in messages %}\n"
        "{{- message | tojson }}\n"
        "{{- '\\n' }}\n"
        "{%- endfor %}\n"
        "{{- messages[0] | tojson(indent=2) }}\n"
        "{{- '\\n' + (messages | map(attribute='role') | join(',')) + '\\n' }}\n"
        "{{- messages | length }} {{ 'yes' if add_generation_prompt else 'no' }}\n"),
}

# one Python-Jinja idiom each, rendered over the multi-turn conversation with add_generation_prompt
IDIOMS = {
    "message-get": "{% for m in messages %}{{ m.get('name', 'anon') }}:{{ m.get('role') }};{% endfor %}",
    "dict-items": "{% for k, v in messages[0].items() %}{{ k }}={{ v }};{% endfor %}",
    "default-filter": "{{ messages[0].tool_calls | default('none') }} {{ undefined_thing | default('x', true) }}",
    "is-tests": "{{ 'y' if messages[0].content is string else 'n' }}{{ 'y' if messages[0] is mapping else 'n' }}{{ 'y' if messages is iterable else 'n' }}{{ 'y' if none is none else 'n' }}{{ 'y' if messages[0].missing is defined else 'n' }}",
    "string-methods": "{% set c = messages[1].content %}{{ c.upper() }}|{{ c.replace('2', 'two') }}|{{ 'y' if c.startswith('What') else 'n' }}|{{ 'y' if c.endswith('?') else 'n' }}|{{ c.lstrip('W') }}|{{ c.rstrip('?') }}|{{ c.title() }}",
    "split-and-join": "{{ messages[1].content.split(' ') | join('_') }}|{{ messages[1].content.split()[1] }}",
    "substring-in": "{{ 'y' if 'think' in messages[2].content else 'n' }} {{ 'y' if '</think>' not in messages[1].content else 'n' }}",
    "loop-attributes": "{% for m in messages %}{{ loop.index }}/{{ loop.length }}/{{ loop.revindex0 }}/{{ loop.revindex }}{{ '^' if loop.first }}{{ '$' if loop.last }};{% endfor %}",
    "block-set": "{% set header %}[{{ messages | length }} turns]{% endset %}{{ header }}{{ header | length }}",
    "macro": "{% macro turn(m, tag='T') %}<{{ tag }}:{{ m.role }}>{{ m.content | trim }}{% endmacro %}{% for m in messages %}{{ turn(m) }}{{ turn(m, tag='X') if loop.last }}{% endfor %}",
    "inline-if-without-else": "{% for m in messages %}{{ m.role if m.role != 'system' }},{% endfor %}",
    "list-and-dict-literals": "{% set roles = ['system', 'user'] %}{% set names = {'user': 'U', 'assistant': 'A'} %}{% for m in messages %}{{ names[m.role] if m.role in names else '-' }}{{ '*' if m.role in roles }}{% endfor %}",
    "namespace-accumulate": "{% set ns = namespace(parts=[], n=0) %}{% for m in messages %}{% set ns.parts = ns.parts + [m.role[:1]] %}{% set ns.n = ns.n + m.content|length %}{% endfor %}{{ ns.parts | join('') }} {{ ns.n }}",
    "arithmetic": "{{ messages|length // 3 }} {{ messages|length % 3 }} {{ 2 ** 3 }} {{ (messages|length) * 1.5 }} {{ 7 / 2 }}",
    "range-and-reverse": "{% for i in range(messages|length) %}{{ i }}{% endfor %}|{% for m in messages|reverse %}{{ m.role[0] }}{% endfor %}",
    "first-last-unique": "{{ (messages|first).role }} {{ (messages|last).role }} {{ messages|map(attribute='role')|unique|join(',') }}",
    "format-filter": "{{ '%s said %d words' | format(messages[1].role, messages[1].content.split()|length) }}",
    "capitalize-and-indent": "{{ messages[1].role | capitalize }}|{{ 'a\nb' | indent(2) }}|{{ messages[1].content | wordcount }}",
    "selectattr-rejectattr": "{{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join(',') }}",
    "tojson-unicode-and-sort": "{{ messages[3].content | tojson }} {{ {'b': 1, 'a': [True, None]} | tojson(sort_keys=true) }}",
    "raw-block": "{% raw %}{{ not rendered }}{% endraw %}{{ messages|length }}",
    "whitespace-control-mix": "a  \n  {%- if true -%}  \n  b  {%- endif %}  \n  c\n    {% if true %}\n  d\n    {% endif %}\ne",
    "sameas-and-comparisons": "{{ 'y' if add_generation_prompt is sameas true else 'n' }} {{ 'y' if messages|length > 2 and messages|length <= 4 else 'n' }} {{ 'y' if 'b' > 'a' else 'n' }}",
    "int-and-string-filters": "{{ '42' | int + 1 }} {{ 3 | string + '!' }} {{ messages|length|string|length }}",
    "loop-filter": "{% for m in messages if m.role == 'user' %}{{ m.content[:5] }}{{ loop.index }}/{{ loop.length }}{{ '$' if loop.last }};{% endfor %}",
    "loop-filter-nested-whitespace": "{%- for m in messages %}\n  {%- for w in m.content.split() if w|length > 3 -%}\n    {{ w }},\n  {%- endfor %}\n|{% endfor %}",
    "for-else": "{% for m in messages %}{{ m.role[0] }}{% else %}none{% endfor %}|{% for m in [] %}x{% else %}none{% endfor %}",
    "for-else-filtered-nested": "{% for m in messages if m.role == 'tool' %}{{ m.role }}{% else %}{% if messages %}no tool{% else %}empty{% endif %}{% endfor %}|{%- for m in messages if m.role == 'user' -%}\n {{ m.role }}\n{%- else -%}\n none\n{%- endfor %}",
    "set-scoping": "{% set x = 'out' %}{% for m in messages %}{% set x = m.role %}{% endfor %}{{ x }}|{% if true %}{% set y = 'in-if' %}{% endif %}{{ y }}",
    "loop-cycle-and-tests": "{% for m in messages %}{{ loop.cycle('a', 'b') }}{{ 'e' if loop.index is even else 'o' }}{{ 'd' if loop.index is divisibleby 3 }}{% endfor %}",
    "string-ops": "{{ 'x' ~ 1 ~ 2.5 }}|{{ '%.2f' | format(3.14159) }}|{{ 2.567 | round(1) }}|{{ '3.9' | float | int }}|{{ 'abc' | list | join('-') }}",
    "sort-map-select": "{{ messages | map(attribute='role') | sort | join(',') }}|{{ messages | sort(reverse=true, attribute='role') | length }}|{{ messages | map(attribute='role') | map('upper') | join(',') }}|{{ messages | selectattr('name', 'defined') | list | length }}",
    "defined-and-none-chains": "{{ 'y' if messages[0].tool_calls is defined and messages[0].tool_calls else 'n' }}{{ 'y' if messages[0]['content'] is string and messages[0]['content'] | length > 3 else 'n' }}{{ (messages[0].missing or 'fallback') }}",
}

# Where deepalign's engine still differs from Python Jinja (README, "Chat templates"): rendered here all the same,
# and ChatTemplateReferenceTest asserts that they still differ, so that the README's list stays true.
KNOWN_GAPS = {
    "python-booleans-printed": "{{ true }} {{ none }} {{ messages[0].role == 'system' }}",
    "loop-previtem-nextitem": "{% for m in messages %}{% if loop.previtem %}<{{ loop.previtem.role }}{% endif %}{% if loop.nextitem %}>{{ loop.nextitem.role }}{% endif %};{% endfor %}",
    "undefined-attribute-is-none": "{{ 'y' if messages[0].missing is none else 'n' }}",
    "string-repetition": "{{ 'ab' * 3 }}",
    "sort-by-attribute": "{{ messages | sort(attribute='role') | map(attribute='role') | first }}",
}

CONVERSATIONS = {
    "system-user": [
        {"role": "system", "content": "You are a careful assistant. "},
        {"role": "user", "content": "  How do I bake bread?\n"},
    ],
    "multi-turn": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "<think>simple sum</think>It is 4. "},
        {"role": "user", "content": "And 3 + 5? Answer with \"quotes\", a back\\slash and caf\u00e9."},
    ],
    "user-only": [
        {"role": "user", "content": "Hello there"},
    ],
    "broken-alternation": [
        {"role": "user", "content": "one"},
        {"role": "user", "content": "two"},
    ],
}

TOKENS = {"bos": "<s>", "eos": "</s>"}


def main(out):
    cases = []
    for tname, template in TEMPLATES.items():
        for cname, messages in CONVERSATIONS.items():
            for agp in (True, False):
                case = {"template": tname, "conversation": cname, "add_generation_prompt": agp}
                try:
                    case["output"] = render(template, messages, TOKENS["bos"], TOKENS["eos"], agp)
                except TemplateError as e:
                    case["error"] = str(e)
                cases.append(case)
    for tname, template in {**IDIOMS, **KNOWN_GAPS}.items():
        case = {"template": tname, "conversation": "multi-turn", "add_generation_prompt": True, "known_gap": tname in KNOWN_GAPS}
        try:
            case["output"] = render(template, CONVERSATIONS["multi-turn"], TOKENS["bos"], TOKENS["eos"], True)
        except TemplateError as e:
            case["error"] = str(e)
        cases.append(case)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"jinja2": jinja2.__version__, "tokens": TOKENS, "templates": {**TEMPLATES, **IDIOMS, **KNOWN_GAPS},
                   "conversations": CONVERSATIONS, "cases": cases}, f, indent=1, ensure_ascii=False)
    print("wrote", out, len(cases), "cases")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
