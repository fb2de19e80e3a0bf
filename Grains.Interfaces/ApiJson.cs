using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tracking.Contracts;

/// <summary>
/// The public API's JSON, for its answers and the webhooks' payloads alike: snake_case names, timestamps in
/// RFC 3339 UTC with a <c>Z</c>, and address fields that take a string or an array.
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.PropertyNameCaseInsensitive = false;
        options.Converters.Add(new StringOrArray());
        options.Converters.Add(new UtcTimestamp());
        return options;
    }

    /// <summary>The one format of a timestamp: UTC, to the microsecond (PostgreSQL's precision), with a Z.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="Timestamp"/>; reads any RFC 3339 timestamp.</summary>
    sealed class UtcTimestamp : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Timestamp(value));
    }

    /// <summary>"a@x.com" and ["a@x.com"] both read as an array.</summary>
    sealed class StringOrArray : JsonConverter<string[]>
    {
        public override string[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null: return null;
                case JsonTokenType.String: return [reader.GetString()!];
                case JsonTokenType.StartArray:
                    var items = new List<string>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String) throw new JsonException("must be a string or an array of strings");
                        items.Add(reader.GetString()!);
                    }
                    return items.ToArray();
                default: throw new JsonException("must be a string or an array of strings");
            }
        }

        public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value) writer.WriteStringValue(item);
            writer.WriteEndArray();
        }
    }
}
