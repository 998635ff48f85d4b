using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace FabricInvoke.Robustness.Tests.Infrastructure;

/// <summary>Bounded input generators: small enough to keep the suite fast, biased toward the characters parsers care about.</summary>
public static class Generators
{
    private const string JsonSyntax = "{}[]\":,\\/ \t\r\n0123456789abcdefuABCDEF+-.eEtrnulfs";

    /// <summary>Any UTF-16 code unit, lone surrogates included (Windows command lines can carry them), biased to JSON syntax.</summary>
    public static Gen<char> AnyChar { get; } = Gen.Frequency(
        (6, Gen.Elements(JsonSyntax.ToCharArray())),
        (3, Gen.Choose(0, 0x7F).Select(i => (char)i)),
        (1, Gen.Choose(0x80, 0xFFFF).Select(i => (char)i)));

    /// <summary>Well-formed UTF-16: BMP characters outside the surrogate range and some supplementary ones (emoji, CJK ext).</summary>
    public static Gen<string> ValidRune { get; } = Gen.Frequency(
        (6, Gen.Choose(0x20, 0x7E)),
        (1, Gen.Choose(0, 0x1F)),
        (2, Gen.Choose(0x80, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0xFFFD)),
        (1, Gen.Choose(0x10000, 0x10FFFF)))
        .Select(char.ConvertFromUtf32);

    public static Gen<string> Text(Gen<char> chars, int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => chars.ArrayOf(n)).Select(cs => new string(cs));

    public static Gen<string> ValidText(int maxRunes) =>
        Gen.Choose(0, maxRunes).SelectMany(n => ValidRune.ArrayOf(n)).Select(string.Concat);

    public static Gen<byte[]> Bytes(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n));

    /// <summary>1 to 3 edits of <paramref name="text"/>: truncate, delete, insert, replace, or duplicate a slice.</summary>
    public static Gen<string> Mutate(string text) =>
        Gen.Choose(1, 3).SelectMany(n => MutateOnce(text).SelectMany(t1 => n == 1 ? Gen.Constant(t1) : MutateOnce(t1).SelectMany(t2 => n == 2 ? Gen.Constant(t2) : MutateOnce(t2))));

    private static Gen<string> MutateOnce(string text) =>
        Gen.Choose(0, text.Length).SelectMany(at => Gen.Choose(0, 4).SelectMany(op => AnyChar.Select(c => op switch
        {
            0 => text[..at],
            1 => at < text.Length ? text.Remove(at, 1) : text,
            2 => text.Insert(at, c.ToString()),
            3 => at < text.Length ? text.Remove(at, 1).Insert(at, c.ToString()) : text + c,
            _ => text[..at] + text[(at / 2)..],
        })));

    /// <summary>Bit flips, truncation or both, of <paramref name="bytes"/>.</summary>
    public static Gen<byte[]> Corrupt(byte[] bytes) =>
        Gen.Choose(0, 2).SelectMany(op => Gen.Choose(0, Math.Max(0, bytes.Length - 1)).SelectMany(at => Gen.Choose(0, 7).Select(bit =>
        {
            var copy = (byte[])bytes.Clone();
            if (op != 1 && copy.Length > 0)
            {
                copy[at] ^= (byte)(1 << bit);
            }

            return op == 0 ? copy : copy[..(op == 1 ? at : copy.Length - (at / 2))];
        })));

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
